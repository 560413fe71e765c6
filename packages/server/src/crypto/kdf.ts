import { hkdfSync } from 'node:crypto';
import { encodeParts } from './encoding.js';

const SALT = Buffer.from('strongroom/v1', 'utf8');

/**
 * Derives a 32-byte sub-key with HKDF-SHA256. `purpose` parts name what the key is for; two different
 * purposes never share a key.
 */
export function deriveKey(ikm: Uint8Array, purpose: readonly string[]): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, SALT, encodeParts(purpose), 32));
}
