import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64UrlToBytes, fromUtf8 } from './base64.js';
import { importRsaPrivateKey, signJwt } from './rs256.js';

describe('RS256 signing with WebCrypto', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKey = createPublicKey(privateKey);

  const verifies = (jws: string) => {
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    return createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(publicKey, Buffer.from(signature, 'base64url'));
  };

  it('signs compact JWS that Node’s crypto verifies, from PKCS#8 and PKCS#1 PEM keys', async () => {
    for (const pem of [pkcs8, pkcs1]) {
      const jws = await signJwt({ sub: 'x', n: 1 }, await importRsaPrivateKey(pem));
      expect(jws.split('.')).toHaveLength(3);
      expect(verifies(jws)).toBe(true);
      expect(JSON.parse(fromUtf8(base64UrlToBytes(jws.split('.')[0] as string)))).toEqual({ alg: 'RS256', typ: 'JWT' });
    }
  });

  it('refuses text that is not a PEM private key, without caching the failure', async () => {
    await expect(importRsaPrivateKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).rejects.toThrow();
    await expect(importRsaPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).rejects.toThrow();
  });
});
