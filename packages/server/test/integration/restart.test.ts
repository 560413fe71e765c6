import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { type Credentials, signAssertion } from '../support/server.js';

const quiet = () =>
  createLogger(
    'silent',
    new Writable({
      write(_c, _e, done) {
        done();
      },
    }),
  );

describe('a server restarted on the same data directory', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-restart-'));
  const rootKey = randomBytes(32).toString('base64');
  const start = (port = 0) =>
    startServer(loadConfig({ flags: { port, dataDir, rootKey }, env: {} }), { logger: quiet() });
  let running: RunningServer | undefined;

  afterAll(async () => {
    await running?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps its vault, accounts and signing keys, and is not a first start', async () => {
    running = await start();
    expect(running.bootstrap.firstStart).toBe(true);
    const demo = running.bootstrap.demoVaultId;
    const jwks = running.services.issuer.jwks();
    await running.close();
    running = await start();
    expect(running.bootstrap.firstStart).toBe(false);
    expect(running.bootstrap.demoVaultId).toBe(demo);
    expect(running.services.issuer.jwks()).toEqual(jwks);
  });

  it('still accepts credentials issued under its earlier address after moving to another port', async () => {
    const credentials = JSON.parse(readFileSync(path.join(dataDir, 'admin-credentials.json'), 'utf8')) as Credentials;
    expect(new URL(credentials.tokenURI).origin).not.toBe(running!.url);
    const res = await fetch(`${running!.url}/v1/auth/sa/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: await signAssertion(credentials),
      }),
    });
    expect(res.status).toBe(200);
    // An address this server never issued is still refused.
    const foreign = await signAssertion({ ...credentials, tokenURI: 'http://127.0.0.1:1/v1/auth/sa/oauth/token' });
    const refused = await fetch(`${running!.url}/v1/auth/sa/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: foreign }),
    });
    expect(refused.status).toBe(401);
  });

  it('refuses to start with a different root key', async () => {
    await running?.close();
    running = undefined;
    const other = loadConfig({ flags: { port: 0, dataDir, rootKey: randomBytes(32).toString('base64') }, env: {} });
    await expect(startServer(other, { logger: quiet() })).rejects.toThrow(/root key does not match/);
  });
});
