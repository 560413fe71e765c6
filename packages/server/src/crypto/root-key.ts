import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RootKeySource } from '../config.js';
import { KEY_BYTES } from './aead.js';

export class RootKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RootKeyError';
  }
}

/** Parses a root key written as base64, base64url or hex; it must be exactly 32 bytes. */
export function parseRootKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new RootKeyError(`${origin} must hold ${KEY_BYTES} random bytes as base64 or 64 hex characters`);
  }
  return key;
}

export interface LoadedRootKey {
  readonly key: Buffer;
  /** True when this call created the development key file. */
  readonly created: boolean;
  readonly source: RootKeySource;
}

/**
 * Loads the root key. A development key file in the data directory is created on first use (mode 0600);
 * production configurations must supply the key themselves (enforced by the config reader).
 */
export function loadRootKey(source: RootKeySource): LoadedRootKey {
  if (source.kind === 'inline') {
    return { key: parseRootKey(source.value ?? '', 'STRONGROOM_ROOT_KEY'), created: false, source };
  }
  const file = source.file as string;
  if (source.kind === 'file') {
    if (!existsSync(file)) throw new RootKeyError(`root key file ${file} does not exist`);
    return { key: parseRootKey(readFileSync(file, 'utf8'), `root key file ${file}`), created: false, source };
  }
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) chmodSync(file, 0o600);
    return { key: parseRootKey(readFileSync(file, 'utf8'), `root key file ${file}`), created: false, source };
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true, source };
}
