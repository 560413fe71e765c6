import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from '../config.js';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** For self-signed certificates: the file clients must trust (e.g. `NODE_EXTRA_CA_CERTS`). */
  readonly certFile: string;
  readonly selfSigned: boolean;
}

/** Reads the configured certificate, or creates and keeps a self-signed one in the data directory. */
export async function loadTls(config: Config, extraHosts: readonly string[]): Promise<TlsMaterial | undefined> {
  const tls = config.tls;
  if (tls.mode === 'off') return undefined;
  if (tls.mode === 'files') {
    return {
      cert: readFileSync(tls.certFile as string, 'utf8'),
      key: readFileSync(tls.keyFile as string, 'utf8'),
      certFile: tls.certFile as string,
      selfSigned: false,
    };
  }
  const dir = path.join(config.dataDir, 'tls');
  const certFile = path.join(dir, 'self-signed-cert.pem');
  const keyFile = path.join(dir, 'self-signed-key.pem');
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...extraHosts])];
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const fresh = new Date(x509.validTo).getTime() > Date.now() + 7 * 24 * 3600 * 1000;
    if (fresh && hosts.every((h) => coversHost(x509, h))) {
      return { cert, key: readFileSync(keyFile, 'utf8'), certFile, selfSigned: true };
    }
  }
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 1);
  const pems = await generate([{ name: 'commonName', value: 'Strongroom self-signed' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (isIp(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, certFile, selfSigned: true };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function coversHost(cert: X509Certificate, host: string): boolean {
  return isIp(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}
