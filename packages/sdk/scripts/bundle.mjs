// Bundles the SDK with esbuild, after `tsc` has written the ESM build and its declarations to dist/:
//   dist/index.cjs                    CommonJS for `require('@strongroom/sdk')` (Node)
//   dist/browser/strongroom-sdk.js    one ES module for browsers (fetch, FormData and WebCrypto only)
// Usage: node scripts/bundle.mjs [outdir]   (default: dist; the browser test bundles into a temp dir)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
const common = {
  entryPoints: [path.join(root, 'src/index.ts')],
  bundle: true,
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  // Reading credentials files and upload paths imports node:fs lazily; pages never take that path.
  external: ['node:*'],
};

await Promise.all([
  build({ ...common, platform: 'node', format: 'cjs', outfile: path.join(outdir, 'index.cjs') }),
  build({ ...common, platform: 'browser', format: 'esm', outfile: path.join(outdir, 'browser/strongroom-sdk.js') }),
]);
