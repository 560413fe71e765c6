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
}

/** A small JSON client over node:http(s), so a CA file can be trusted per call without global state. */
export class HttpClient {
  private readonly base: URL;
  private readonly ca: string[] | undefined;

  constructor(options: HttpClientOptions) {
    try {
      this.base = new URL(options.url);
    } catch {
      throw new CliError(`not a URL: ${options.url}`, 2);
    }
    if (options.caFile) {
      try {
        this.ca = [...tls.rootCertificates, readFileSync(options.caFile, 'utf8')];
      } catch (err) {
        throw new CliError(`cannot read CA file ${options.caFile}: ${(err as Error).message}`, 2);
      }
    }
  }

  async request<T>(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`);
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
        res.on('error', reject);
      });
      req.on('error', (err) => reject(new CliError(`cannot reach ${url.origin}: ${describeNetworkError(err)}`)));
      if (payload) req.write(payload);
      req.end();
    });
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300) {
      const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${status}`;
      throw new CliError(
        `${method} ${url.pathname} failed (${status}): ${message}${requestId ? ` [request ${requestId}]` : ''}`,
      );
    }
    return parsed as T;
  }
}

function describeNetworkError(err: Error & { code?: string }): string {
  if (
    err.code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  ) {
    return `${err.message} (pass --ca <server certificate> or set NODE_EXTRA_CA_CERTS)`;
  }
  return err.message;
}
