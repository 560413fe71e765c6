import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, JWT_PATTERN, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir } from './helpers.js';

/**
 * A server published under a path prefix behind a reverse proxy (`--public-url http://proxy/vault`):
 * credentials name `http://proxy/vault/v1/auth/sa/oauth/token`, and the CLI must keep the prefix.
 */
describe('CLI against a server published under a path prefix', () => {
  let t: TestServer;
  let proxy: http.Server;
  let proxyUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    let target = '';
    proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (!req.url?.startsWith('/vault/')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not under /vault');
        return;
      }
      const upstream = http.request(
        `${target}${req.url.slice('/vault'.length)}`,
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/vault`;
    t = await startTestServer({ config: { publicUrl: proxyUrl } });
    target = `http://127.0.0.1:${(t.server.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    await new Promise((resolve) => proxy?.close(resolve));
    removeTempDirs();
  });

  it(
    'token and vault list reach the server through the prefix named by tokenURI',
    async () => {
      expect(t.adminCredentials.tokenURI).toBe(`${proxyUrl}/v1/auth/sa/oauth/token`);
      const cwd = tempDir();
      const token = await runCli(['token', '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });
      expect(token.stderr).toBe('');
      expect(token.code).toBe(0);
      expect(token.stdout.trim()).toMatch(JWT_PATTERN);

      const list = await runCli(['vault', 'list', '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('quickstart');
      expect(seen).toContain('POST /vault/v1/auth/sa/oauth/token');
      expect(seen.some((line) => line.startsWith('GET /vault/v1/vaults?'))).toBe(true);
      expect(seen.filter((line) => !line.includes(' /vault/'))).toEqual([]);
    },
    SPAWN_TIMEOUT,
  );
});
