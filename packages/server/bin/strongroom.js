#!/usr/bin/env node
// Committed launcher so that npm links the `strongroom` command at install time, before the first build.
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(main.href);
} catch (err) {
  // Only the CLI itself missing means "not built"; a missing dependency inside it is a real error.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(fileURLToPath(main))) {
    process.stderr.write(
      'strongroom: the CLI is not built yet; run `npm run build` in the Strongroom checkout (or `npm start`)\n',
    );
    process.exitCode = 2;
  } else {
    throw err;
  }
}
