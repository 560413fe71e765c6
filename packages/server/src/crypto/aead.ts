import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM with a 96-bit random nonce and a 128-bit tag: the one authenticated cipher of the vault. */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** Thrown whenever authenticated decryption fails; deliberately says nothing about why. */
export class DecryptionError extends Error {
  constructor(message = 'decryption failed: the ciphertext, its key or its context does not match') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** Nonces are cut from blocks of CSPRNG output this long (one `randomBytes` call per 341 nonces). */
const NONCE_BLOCK_BYTES = NONCE_BYTES * 341;
let nonceBlock = Buffer.alloc(0);
let nonceOffset = 0;

/**
 * A fresh random 96-bit nonce. Each comes from the CSPRNG exactly as `randomBytes(12)` would, and no
 * bytes are ever handed out twice; drawing them a block at a time only saves the cost of a call per
 * nonce, which an insert pays three times per value (as Node does for `randomUUID`).
 */
function freshNonce(): Buffer {
  if (nonceOffset + NONCE_BYTES > nonceBlock.length) {
    nonceBlock = randomBytes(NONCE_BLOCK_BYTES);
    nonceOffset = 0;
  }
  const nonce = nonceBlock.subarray(nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

/** Encrypts `plaintext`; returns `nonce ‖ ciphertext ‖ tag`. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  return sealWithNonce(key, freshNonce(), plaintext, aad);
}

/** Encrypts with a caller-chosen nonce. Only for test vectors: reusing a nonce under one key is fatal. */
export function sealWithNonce(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Decrypts the output of {@link seal}. Throws {@link DecryptionError} on any mismatch. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError();
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(body);
    const rest = decipher.final();
    // GCM is a stream mode: final() checks the tag and has nothing left to add; no need to copy.
    return rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest]);
  } catch {
    throw new DecryptionError();
  }
}
