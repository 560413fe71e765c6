import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import type { Config } from '../config.js';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** For self-signed certificates: the file clients must trust (e.g. `NODE_EXTRA_CA_CERTS`). */
  readonly certFile: string;
  readonly selfSigned: boolean;
}

/** A TLS certificate or key that cannot be read or used; a configuration problem (the CLI exits with 2). */
export class TlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsError';
  }
}

/** Addresses a server listens on that no client connects to, so they do not belong in a certificate. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Reads the configured certificate, or creates and keeps a self-signed one in the data directory. */
export async function loadTls(config: Config, extraHosts: readonly string[]): Promise<TlsMaterial | undefined> {
  const tls = config.tls;
  if (tls.mode === 'off') return undefined;
  if (tls.mode === 'files') {
    const certFile = tls.certFile as string;
    const keyFile = tls.keyFile as string;
    const cert = readPem(certFile, 'certificate (--tls-cert)');
    const key = readPem(keyFile, 'private key (--tls-key)');
    try {
      new X509Certificate(cert);
    } catch (err) {
      throw new TlsError(`TLS certificate ${certFile} is not a PEM certificate: ${(err as Error).message}`);
    }
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      throw new TlsError(
        `TLS certificate ${certFile} and key ${keyFile} cannot be used together: ${(err as Error).message}`,
      );
    }
    return { cert, key, certFile, selfSigned: false };
  }
  const dir = path.join(config.dataDir, 'tls');
  const certFile = path.join(dir, 'self-signed-cert.pem');
  const keyFile = path.join(dir, 'self-signed-key.pem');
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...extraHosts])].filter((h) => !WILDCARD_HOSTS.has(h));
  if (existsSync(certFile) && existsSync(keyFile)) {
    const reused = reusable(certFile, keyFile, hosts);
    if (reused) return reused;
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
  // `mode` applies only to new files: tighten a key file left over from an earlier certificate.
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, certFile, selfSigned: true };
}

/** The kept self-signed certificate, if it is readable, valid for another week, names every host and fits its key. */
function reusable(certFile: string, keyFile: string, hosts: readonly string[]): TlsMaterial | undefined {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const fresh = new Date(x509.validTo).getTime() > Date.now() + 7 * 24 * 3600 * 1000;
    if (!fresh || !hosts.every((h) => coversHost(x509, h))) return undefined;
    createSecureContext({ cert, key });
    return { cert, key, certFile, selfSigned: true };
  } catch {
    // Unreadable, damaged or mismatched: make a new one.
    return undefined;
  }
}

function readPem(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsError(
      code === 'ENOENT'
        ? `TLS ${what} ${file} does not exist`
        : `cannot read TLS ${what} ${file}: ${(err as Error).message}`,
    );
  }
  if (!text.includes('-----BEGIN ')) throw new TlsError(`TLS ${what} ${file} is not in PEM format`);
  return text;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function coversHost(cert: X509Certificate, host: string): boolean {
  return isIp(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}
