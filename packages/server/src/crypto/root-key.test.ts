import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRootKey, parseRootKey, RootKeyError } from './root-key.js';

const encodings = ['base64', 'base64-unpadded', 'base64url', 'hex', 'HEX'] as const;
function encode(key: Buffer, encoding: (typeof encodings)[number]): string {
  switch (encoding) {
    case 'base64':
      return key.toString('base64');
    case 'base64-unpadded':
      return key.toString('base64').replace(/=+$/, '');
    case 'base64url':
      return key.toString('base64url');
    case 'hex':
      return key.toString('hex');
    case 'HEX':
      return key.toString('hex').toUpperCase();
  }
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('parseRootKey', () => {
  it('accepts 32 bytes as base64, unpadded base64, base64url or hex, with surrounding whitespace', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(...encodings),
        fc.constantFrom('', '\n', ' \r\n', '\t'),
        (bytes, encoding, space) => {
          const key = Buffer.from(bytes);
          expect(parseRootKey(`${space}${encode(key, encoding)}${space}`, 'test').equals(key)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts a base64url key that uses both - and _', () => {
    const key = Buffer.alloc(32, 0xfb); // 0xfb… encodes with '+' and '/' in base64, '-' and '_' in base64url
    const text = key.toString('base64url');
    expect(text).toMatch(/[-_]/);
    expect(parseRootKey(text, 'test').equals(key)).toBe(true);
  });

  it('rejects any other length, in every encoding', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }).filter((b) => b.length !== 32),
        fc.constantFrom(...encodings),
        (bytes, encoding) => {
          const text = encode(Buffer.from(bytes), encoding);
          expect(() => parseRootKey(text, 'test')).toThrow(RootKeyError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   \n'],
    ['garbage', 'this is not a key at all, not even close!!'],
    ['whitespace inside', `${randomBytes(16).toString('hex')} ${randomBytes(16).toString('hex')}`],
    ['a 63-digit hex string', randomBytes(32).toString('hex').slice(1)],
    ['non-hex letters in 64 characters', 'g'.repeat(64)],
    ['too much padding', `${randomBytes(32).toString('base64')}==`],
    ['padding in the middle', `${randomBytes(16).toString('base64')}${randomBytes(16).toString('base64')}`],
  ])('rejects %s', (_, text) => {
    expect(() => parseRootKey(text, 'test')).toThrow(RootKeyError);
  });

  it('names the origin in its error but never echoes the text it was given', () => {
    const text = randomBytes(31).toString('base64');
    const err = thrown(() => parseRootKey(text, 'STRONGROOM_ROOT_KEY'));
    expect(err).toBeInstanceOf(RootKeyError);
    expect(err.name).toBe('RootKeyError');
    expect(err.message).toContain('STRONGROOM_ROOT_KEY');
    expect(err.message).not.toContain(text);
  });
});

describe('loadRootKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'strongroom-root-key-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a 0600 development key file (and its 0700 directory) once, then reuses it', () => {
    const file = path.join(dir, 'data', 'root.key');
    const first = loadRootKey({ kind: 'dev-file', file });
    expect(first.created).toBe(true);
    expect(first.key.length).toBe(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe(`${first.key.toString('base64')}\n`);

    const second = loadRootKey({ kind: 'dev-file', file });
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.source).toEqual({ kind: 'dev-file', file });
  });

  it('tightens an existing development key file readable by others to 0600', () => {
    const file = path.join(dir, 'root.key');
    const key = randomBytes(32);
    writeFileSync(file, key.toString('hex'));
    chmodSync(file, 0o644);
    const loaded = loadRootKey({ kind: 'dev-file', file });
    expect(loaded.created).toBe(false);
    expect(loaded.key.equals(key)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt development key file instead of replacing it', () => {
    const file = path.join(dir, 'root.key');
    writeFileSync(file, 'corrupt', { mode: 0o600 });
    expect(() => loadRootKey({ kind: 'dev-file', file })).toThrow(RootKeyError);
    expect(readFileSync(file, 'utf8')).toBe('corrupt');
  });

  it('reads a configured key file', () => {
    const file = path.join(dir, 'configured.key');
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600 });
    const loaded = loadRootKey({ kind: 'file', file });
    expect(loaded).toMatchObject({ created: false, source: { kind: 'file', file } });
    expect(loaded.key.equals(key)).toBe(true);
  });

  it('throws RootKeyError when a configured key file is missing, and does not create it', () => {
    const file = path.join(dir, 'missing.key');
    const err = thrown(() => loadRootKey({ kind: 'file', file }));
    expect(err).toBeInstanceOf(RootKeyError);
    expect(err.message).toContain(file);
    expect(() => statSync(file)).toThrow();
  });

  it('throws RootKeyError naming a configured key file whose content is not a key', () => {
    const file = path.join(dir, 'bad.key');
    writeFileSync(file, randomBytes(16).toString('base64'));
    const err = thrown(() => loadRootKey({ kind: 'file', file }));
    expect(err).toBeInstanceOf(RootKeyError);
    expect(err.message).toContain(file);
  });

  it('parses an inline key and rejects a bad or absent one', () => {
    const key = randomBytes(32);
    const loaded = loadRootKey({ kind: 'inline', value: key.toString('base64') });
    expect(loaded.created).toBe(false);
    expect(loaded.key.equals(key)).toBe(true);
    expect(() => loadRootKey({ kind: 'inline', value: 'short' })).toThrow(RootKeyError);
    expect(() => loadRootKey({ kind: 'inline' })).toThrow(RootKeyError);
  });
});
