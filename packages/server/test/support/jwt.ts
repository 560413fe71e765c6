import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Builds a compact JWS by hand, so tests can produce shapes a JWT library would refuse to make. */
export function rawJws(header: unknown, payload: unknown, signature = 'c2lnbmF0dXJl'): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** An HS256 token whose HMAC secret is `secret` (for algorithm-confusion attempts). */
export function hs256(payload: unknown, secret: string | Buffer): string {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(payload);
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A fresh RSA key pair in the formats credentials use. */
export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

/** An RS256 JWS with an arbitrary header, signed without a JWT library's checks. */
export function rs256(header: unknown, payload: unknown, privateKeyPem: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}
