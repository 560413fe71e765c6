import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../src/index.js';

const sdkRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('packaging', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'strongroom-sdk-pack-'));
    const built = spawnSync(process.execPath, [path.join(sdkRoot, 'scripts/bundle.mjs'), dir], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`bundling failed: ${built.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the CommonJS build exports what the ES modules export', () => {
    const cjs = createRequire(import.meta.url)(path.join(dir, 'index.cjs')) as Record<string, unknown>;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(sdk).sort());
    expect(typeof cjs.Skyflow).toBe('function');
  });

  it('the browser bundle is one ES module that needs nothing from Node until a Node-only feature is used', () => {
    const bundle = readFileSync(path.join(dir, 'browser/strongroom-sdk.js'), 'utf8');
    expect(bundle).toMatch(/export \{/);
    expect(bundle).not.toMatch(/\brequire\(/);
    expect(bundle).not.toMatch(/^import .* from ["']node:/m);
    // Only lazy imports of node: modules, for credentials files and upload paths.
    const nodeImports = [...bundle.matchAll(/import\(["'](node:[^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(nodeImports)).toEqual(new Set(['node:fs/promises', 'node:path']));
    expect(bundle).not.toMatch(/\bBuffer\./);
    expect(bundle).not.toMatch(/process\.(?!env)/);
  });

  it('has no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(path.join(sdkRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toBeUndefined();
  });
});
