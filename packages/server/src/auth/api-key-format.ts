import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Skyflow's API key shape: `sky-` + 5 alphanumerics + `-` + 32 hex digits (128 random bits). */
export const API_KEY_PATTERN = /^sky-[a-zA-Z0-9]{5}-[a-fA-F0-9]{32}$/;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface NewApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly hash: string;
}

export function generateApiKey(): NewApiKey {
  let prefix = '';
  for (let i = 0; i < 5; i++) prefix += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  const key = `sky-${prefix}-${randomBytes(16).toString('hex')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/**
 * API keys carry 128 random bits, so a plain SHA-256 is a safe verifier (no password-hashing work
 * factor is needed) and lets the key be found by its hash in one indexed lookup.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key.toLowerCase()).digest('hex');
}
