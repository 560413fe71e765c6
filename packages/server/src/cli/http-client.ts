import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { CliError } from './errors.js';

export interface HttpClientOptions {
  /** Base URL of the server, e.g. `https://localhost:8080`. */
  readonly url: string;
  /** Extra CA certificate file to trust (e.g. the server's self-signed certificate). */
  readonly caFile?: string | undefined;
  /** Longest wait for a response, in milliseconds (default 60 s). */
  readonly timeoutMs?: number;
}

/** A small JSON client over node:http(s), so a CA file can be trusted per call without global state. */
export class HttpClient {
  private readonly base: URL;
  private readonly ca: string[] | undefined;
  private readonly timeoutMs: number;

  constructor(options: HttpClientOptions) {
    let base: URL | undefined;
    try {
      base = new URL(options.url);
    } catch {
      base = undefined;
    }
    if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:')) {
      throw new CliError(`not an http(s) URL: ${options.url}`, 2);
    }
    this.base = base;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    if (options.caFile) {
      let pem: string;
      try {
        pem = readFileSync(options.caFile, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read CA file ${options.caFile}: ${(err as Error).message}`, 2);
      }
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
        throw new CliError(`CA file ${options.caFile} holds no PEM certificate`, 2);
      }
      // Passing `ca` replaces Node's default trust store, so keep the public roots and NODE_EXTRA_CA_CERTS.
      this.ca = [...tls.rootCertificates, ...extraCaCertificates(), pem];
    }
  }

  /** The server base URL requests are made against (without a trailing slash). */
  get baseUrl(): string {
    return this.base.href.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), `${this.baseUrl}/`);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const transport = url.protocol === 'https:' ? https : http;
    const { status, body, requestId } = await new Promise<{
      status: number;
      body: string;
      requestId: string;
    }>((resolve, reject) => {
      const req = transport.request(url, { method, headers, ...(this.ca && { ca: this.ca }) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            requestId: String(res.headers['x-request-id'] ?? ''),
          }),
        );
        res.on('error', (err) => reject(new CliError(`${method} ${url.pathname}: ${err.message}`)));
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(Object.assign(new Error(`no response within ${this.timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (err) => reject(new CliError(`cannot reach ${url.origin}: ${describeNetworkError(err, url)}`)));
      if (payload) req.write(payload);
      req.end();
    });
    let parsed: unknown;
    let json = false;
    try {
      parsed = body ? JSON.parse(body) : undefined;
      json = true;
    } catch {
      parsed = undefined;
    }
    const suffix = requestId ? ` [request ${requestId}]` : '';
    if (status < 200 || status >= 300) {
      const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${status}`;
      throw new CliError(`${method} ${url.pathname} failed (${status}): ${message}${suffix}`, 1, status);
    }
    if (!json) {
      throw new CliError(
        `${method} ${url.pathname}: the response is not JSON (is ${this.baseUrl} a Strongroom server?)${suffix}`,
      );
    }
    return parsed as T;
  }
}

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function describeNetworkError(err: Error & { code?: string }, url: URL): string {
  if (err.code && UNTRUSTED_CERTIFICATE.has(err.code)) {
    return `${err.message} (pass --ca <server certificate> or set NODE_EXTRA_CA_CERTS)`;
  }
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${err.message} (the server's certificate does not name ${url.hostname}; use the host it was issued for)`;
  }
  if (url.protocol === 'https:' && (err.code === 'EPROTO' || /wrong version number/i.test(err.message))) {
    return `${err.message} (the server may be serving plain HTTP; try an http:// URL)`;
  }
  if (url.protocol === 'http:' && err.code === 'ECONNRESET') {
    return `${err.message} (if the server serves HTTPS, use an https:// URL)`;
  }
  return err.message;
}

/** The certificates named by NODE_EXTRA_CA_CERTS, which an explicit `ca` option would otherwise drop. */
function extraCaCertificates(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}
