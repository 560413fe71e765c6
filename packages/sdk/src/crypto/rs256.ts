import { base64ToBytes, bytesToBase64Url, utf8 } from './base64.js';

/**
 * RS256 signing with WebCrypto (`crypto.subtle`: Node 20 and every current browser), so the SDK carries no
 * crypto dependency. Keys come as PEM: PKCS#8 (`BEGIN PRIVATE KEY`, what credentials.json holds) or PKCS#1
 * (`BEGIN RSA PRIVATE KEY`, which we wrap into PKCS#8 because WebCrypto imports only PKCS#8).
 */

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** Imported keys by PEM text: importing parses ASN.1 and is far slower than signing. Bounded. */
const keyCache = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 32;

export function importRsaPrivateKey(pem: string): Promise<CryptoKey> {
  let key = keyCache.get(pem);
  if (!key) {
    key = importPem(pem);
    // A failed import is not kept: the next call reports the problem again rather than a stale promise.
    key.catch(() => keyCache.delete(pem));
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(pem, key);
  }
  return key;
}

async function importPem(pem: string): Promise<CryptoKey> {
  const match = /-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]*?)-----END (RSA )?PRIVATE KEY-----/.exec(pem);
  if (!match) throw new Error('privateKey is not a PEM private key');
  const der = base64ToBytes(match[2] as string);
  const pkcs8 = match[1] ? wrapPkcs1(der) : der;
  return crypto.subtle.importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, ALGORITHM, false, ['sign']);
}

/** Signs `claims` as a compact JWS with header `{"alg":"RS256","typ":"JWT"}` (no `kid`, as Skyflow's SDKs). */
export async function signJwt(claims: Record<string, unknown>, key: CryptoKey): Promise<string> {
  const header = bytesToBase64Url(utf8(JSON.stringify({ alg: 'RS256', typ: 'JWT' })));
  const payload = bytesToBase64Url(utf8(JSON.stringify(claims)));
  const input = `${header}.${payload}`;
  const signature = await crypto.subtle.sign(ALGORITHM, key, utf8(input) as Uint8Array<ArrayBuffer>);
  return `${input}.${bytesToBase64Url(new Uint8Array(signature))}`;
}

/** rsaEncryption AlgorithmIdentifier: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }. */
const RSA_ALGORITHM_IDENTIFIER = [
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/** PrivateKeyInfo ::= SEQUENCE { version INTEGER 0, algorithm, privateKey OCTET STRING (the PKCS#1 key) }. */
export function wrapPkcs1(pkcs1: Uint8Array): Uint8Array {
  const octetString = [0x04, ...derLength(pkcs1.length)];
  const bodyLength = 3 + RSA_ALGORITHM_IDENTIFIER.length + octetString.length + pkcs1.length;
  const head = [0x30, ...derLength(bodyLength), 0x02, 0x01, 0x00, ...RSA_ALGORITHM_IDENTIFIER, ...octetString];
  const out = new Uint8Array(head.length + pkcs1.length);
  out.set(head, 0);
  out.set(pkcs1, head.length);
  return out;
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return [0x80 | bytes.length, ...bytes];
}
