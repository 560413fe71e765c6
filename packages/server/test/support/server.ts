import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { importPKCS8, SignJWT } from 'jose';
import { type Config, type ConfigInput, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { dropSchema, freshSchemaUrl } from './postgres.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface Credentials {
  clientID: string;
  clientName: string;
  keyID: string;
  tokenURI: string;
  privateKey: string;
}

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly config: Config;
  readonly adminCredentialsFile: string;
  readonly adminCredentials: Credentials;
  /** Everything the server logged, as raw JSON lines. */
  logs(): string;
  /** A fresh bearer token for the bootstrap admin. */
  adminToken(): Promise<string>;
  /** JSON request with the admin token unless `token` is given (`null`: no Authorization header). */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string | null; headers?: Record<string, string>; rawBody?: string },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  /** Stops the server and keeps its data (for looking at what it left behind); `close()` still cleans up. */
  stop(): Promise<void>;
  /** Stops the server (unless stopped) and removes its data directory and PostgreSQL schema. */
  close(): Promise<void>;
}

/** Signs an assertion the way the Skyflow SDKs do; `overrides` lets tests break it on purpose. */
export async function signAssertion(
  credentials: Credentials,
  overrides: { claims?: Record<string, unknown>; header?: Record<string, unknown>; omit?: string[] } = {},
): Promise<string> {
  const key = await importPKCS8(credentials.privateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: credentials.clientID,
    key: credentials.keyID,
    aud: credentials.tokenURI,
    sub: credentials.clientID,
    iat: now,
    exp: now + 3600,
    ...overrides.claims,
  };
  for (const name of overrides.omit ?? []) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...overrides.header }).sign(key);
}

export async function tokenFor(url: string, credentials: Credentials, scope?: string, ctx?: unknown): Promise<string> {
  const assertion = await signAssertion(credentials, ctx === undefined ? {} : { claims: { ctx } });
  const res = await fetch(`${url}/v1/auth/sa/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
      ...(scope && { scope }),
    }),
  });
  const body = (await res.json()) as { accessToken?: string };
  if (!res.ok || !body.accessToken) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.accessToken;
}

/**
 * Boots a real server on a random port over a real store: a temp-dir SQLite file, or a fresh schema
 * of the test PostgreSQL. Call `close()` to stop it and remove what it created.
 */
export async function startTestServer(
  options: { store?: StoreKind; config?: ConfigInput; env?: NodeJS.ProcessEnv } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-test-'));
  const pgSchema = options.store === 'postgres' ? freshSchemaUrl() : undefined;
  const config = loadConfig({
    flags: {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      rootKey: randomBytes(32).toString('base64'),
      logLevel: 'info',
      ...(pgSchema && { databaseUrl: pgSchema.url }),
      ...options.config,
    },
    env: options.env ?? {},
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const server = await startServer(config, { logger: createLogger(config.logLevel, sink) });
  const adminCredentialsFile = server.bootstrap.adminCredentialsFile;
  const adminCredentials = JSON.parse(readFileSync(adminCredentialsFile, 'utf8')) as Credentials;
  let cachedToken: string | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= server.close();
    return stopped;
  };
  const adminToken = async () => {
    cachedToken ??= await tokenFor(server.url, adminCredentials);
    return cachedToken;
  };
  return {
    server,
    url: server.url,
    dataDir,
    config,
    adminCredentialsFile,
    adminCredentials,
    logs: () => lines.join(''),
    adminToken,
    async request(method, urlPath, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? await adminToken() : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${server.url}${urlPath}`, {
        method,
        headers,
        ...(body !== undefined && { body }),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (pgSchema) await dropSchema(pgSchema.schema);
    },
  };
}
