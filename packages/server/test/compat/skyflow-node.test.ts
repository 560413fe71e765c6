import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload } from '../support/jwt.js';
import { startTestServer, type TestServer } from '../support/server.js';

const require = createRequire(import.meta.url);
/** The official Skyflow Node SDK, exactly as published on npm (a dev dependency, pinned to 1.14.3). */
const skyflow = require('skyflow-node') as {
  generateBearerToken(
    path: string,
    options?: { roleIDs?: string[]; ctx?: unknown },
  ): Promise<{ accessToken: string; tokenType: string }>;
  generateBearerTokenFromCreds(credentials: string, options?: { roleIDs?: string[] }): Promise<{ accessToken: string }>;
  isExpired(token: string): boolean;
  setLogLevel(level: unknown): void;
  LogLevel: Record<string, unknown>;
};
const skyflowVersion = (require('skyflow-node/package.json') as { version: string }).version;
const run = promisify(execFile);

describe(`skyflow-node@${skyflowVersion} against Strongroom`, () => {
  it('is the pinned official release', () => {
    expect(skyflowVersion).toBe('1.14.3');
  });

  describe('over HTTP', () => {
    let t: TestServer;
    let vaultId: string;

    beforeAll(async () => {
      skyflow.setLogLevel(skyflow.LogLevel.OFF);
      t = await startTestServer();
      vaultId = (await t.request('GET', '/v1/vaults')).body.vaults[0].ID;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('generateBearerToken(path) with our credentials yields a token that authenticates a request', async () => {
      const { accessToken, tokenType } = await skyflow.generateBearerToken(t.adminCredentialsFile);
      expect(tokenType).toBe('Bearer');
      expect(skyflow.isExpired(accessToken)).toBe(false);
      const res = await t.request('GET', `/v1/vaults/${vaultId}`, { token: accessToken });
      expect(res.status).toBe(200);
      expect(res.body.vault.name).toBe('quickstart');
    });

    it('roleIDs narrows the token to the requested roles (scope with a trailing space)', async () => {
      const roles = await t.request('GET', `/v1/roles?resource.type=VAULT&resource.ID=${vaultId}`);
      const viewer = roles.body.roles.find((r: any) => r.definition.name === 'VAULT_VIEWER').ID;
      const editor = roles.body.roles.find((r: any) => r.definition.name === 'VAULT_EDITOR').ID;
      const created = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'sdk' }, roleIDs: [viewer, editor] },
      });
      const { accessToken } = await skyflow.generateBearerTokenFromCreds(JSON.stringify(created.body), {
        roleIDs: [viewer],
      });
      expect(decodePayload(accessToken).roles).toEqual([viewer]);
      expect((await t.request('GET', `/v1/vaults/${vaultId}`, { token: accessToken })).status).toBe(200);
    });

    it('ctx passed to generateBearerToken reaches the token', async () => {
      const { accessToken } = await skyflow.generateBearerToken(t.adminCredentialsFile, { ctx: 'tenant_7' } as never);
      expect(decodePayload(accessToken).ctx).toBe('tenant_7');
    });

    it('errors from the token endpoint reach the SDK with the server message and request ID', async () => {
      const creds = { ...t.adminCredentials, keyID: 'f'.repeat(32) };
      const error = (await skyflow.generateBearerTokenFromCreds(JSON.stringify(creds)).catch((e) => e)) as {
        error?: { code: number; description: string };
      };
      expect(error.error?.code).toBe(401);
      expect(error.error?.description).toMatch(/Invalid assertion.*requestId: [0-9a-f-]{36}/);
    });
  });

  describe('over HTTPS with the self-signed certificate', () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer({ config: { tlsSelfSigned: true } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('works unchanged when the client trusts the certificate through NODE_EXTRA_CA_CERTS', async () => {
      expect(t.url.startsWith('https://')).toBe(true);
      expect(t.adminCredentials.tokenURI.startsWith('https://')).toBe(true);
      const script = path.join(t.dataDir, 'sdk-client.cjs');
      // A separate process, because NODE_EXTRA_CA_CERTS is read only at start-up.
      writeFileSync(
        script,
        `const sdk = require(${JSON.stringify(require.resolve('skyflow-node'))});
sdk.setLogLevel(sdk.LogLevel.OFF);
sdk.generateBearerToken(process.argv[2]).then(
  (r) => process.stdout.write(r.accessToken),
  (e) => { process.stderr.write(JSON.stringify(e)); process.exit(1); });`,
      );
      const { stdout } = await run(process.execPath, [script, t.adminCredentialsFile], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: t.server.tls?.certFile },
      });
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${t.url}/v1/vaults`,
          { headers: { authorization: `Bearer ${stdout}` }, ca: t.server.tls?.cert },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    });

    it('fails with a TLS error when the client does not trust the certificate', async () => {
      const script = path.join(t.dataDir, 'sdk-untrusted.cjs');
      writeFileSync(
        script,
        `const sdk = require(${JSON.stringify(require.resolve('skyflow-node'))});
sdk.setLogLevel(sdk.LogLevel.OFF);
sdk.generateBearerToken(process.argv[2]).then(() => process.exit(0), (e) => { process.stderr.write(JSON.stringify(e)); process.exit(3); });`,
      );
      const env = { ...process.env };
      delete env.NODE_EXTRA_CA_CERTS;
      const result = await run(process.execPath, [script, t.adminCredentialsFile], { env }).catch((e) => e);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/certificate/i);
    });
  });
});
