import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';
import { loadRootKey } from '../../src/crypto/root-key.js';
import { sealPart } from '../../src/detect/run-sealing.js';
import { DetectRunWorker } from '../../src/detect/run-worker.js';
import { DetectVaultTokens } from '../../src/detect/vault-tokens.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { openStore } from '../../src/store/open-store.js';
import type { DetectRunRow } from '../../src/store/types.js';
import { expectError, expectOk } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer, tokenFor } from '../support/server.js';
import { DetectApi, detectVault } from './helpers.js';

const quiet = () =>
  createLogger(
    'silent',
    new Writable({
      write(_c, _e, done) {
        done();
      },
    }),
  );

/** A text long enough that its de-identification takes a while (about a megabyte). */
function longText(): string {
  const lines: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    lines.push(`Line ${i}: patient Jane Doe, email jane${i % 97}@example.com, called about the appointment.`);
  }
  return `${lines.join('\n')}\n`;
}

/** Detect calls against a server restarted on the same data (a new port, the same credentials). */
async function apiOn(running: RunningServer, t: TestServer, vaultId: string): Promise<DetectApi> {
  const token = await tokenFor(running.url, t.adminCredentials);
  const request: TestServer['request'] = async (method, urlPath, opts = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${running.url}${urlPath}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
  };
  return new DetectApi({ ...t, request } as TestServer, vaultId);
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(
    `Detect runs survive their node (${store})`,
    () => {
      let t: TestServer;
      let restarted: RunningServer | undefined;
      let vaultId: string;

      beforeAll(async () => {
        t = await startTestServer({ store, config: { demo: false } });
        vaultId = await detectVault(t);
      });
      afterAll(async () => {
        await restarted?.close();
        await t?.close();
      });

      it('a run interrupted by a stop, and one whose node died holding it, are finished after a restart', async () => {
        const api = new DetectApi(t, vaultId);
        const text = longText();
        const started = await api.startRun('file/text', text, 'txt', { token_type: { default: 'vault_token' } });
        expectOk(started);
        const interrupted = started.body.run_id as string;
        await t.stop();

        // Behind the server's back: the interrupted run is waiting, and a run held by a node that died.
        const db = openStore(t.config.databaseUrl);
        const deadRun = randomUUID();
        try {
          const row = await db.detectRuns.get(interrupted);
          expect(row?.status).toBe('IN_PROGRESS');
          expect(row?.claimedBy).toBeNull();
          const keys = await new Keyring(loadRootKey(t.config.rootKey).key).vault(vaultId, db);
          const options = { format: 'txt', token_type: { default: 'entity_unq_counter' } };
          const now = Date.now();
          const dead: DetectRunRow = {
            id: deadRun,
            vaultId,
            status: 'IN_PROGRESS',
            endpoint: 'file/text',
            dataFormat: 'txt',
            options: sealPart(keys, deadRun, 'options', Buffer.from(JSON.stringify(options))),
            input: sealPart(keys, deadRun, 'input', Buffer.from('Call Jane Doe at jane@example.com.')),
            output: null,
            entities: null,
            keyVersion: keys.activeVersion,
            inputBytes: 34,
            outputBytes: null,
            wordCount: null,
            characterCount: null,
            message: '',
            progressDone: 1,
            progressTotal: 4,
            attempts: 1,
            claimedBy: 'a-node-that-died',
            leaseUntil: now - 1_000,
            createdBy: t.adminCredentials.clientID,
            createdAt: now - 60_000,
            updatedAt: now - 30_000,
            finishedAt: null,
          };
          await db.detectRuns.insert(dead);
        } finally {
          await db.close();
        }

        restarted = await startServer(t.config, { logger: quiet() });
        const again = await apiOn(restarted, t, vaultId);
        const recovered = await again.finished(deadRun);
        expect(recovered.status).toBe('SUCCESS');
        expect(Buffer.from(recovered.output[0].processedFile, 'base64').toString()).toBe(
          'Call [NAME_1] at [EMAIL_ADDRESS_1].',
        );
        const resumed = await again.finished(interrupted, 120_000);
        expect(resumed.status).toBe('SUCCESS');
        const processed = Buffer.from(resumed.output[0].processedFile, 'base64').toString();
        expect(processed).not.toContain('@example.com');
        expect((await again.reidentifyFile(Buffer.from(processed), 'txt')).toString()).toBe(text);
      }, 180_000);
    },
  );
}

describe('Detect runs and the vault’s keys and retention', () => {
  let t: TestServer;
  let vaultId: string;
  let api: DetectApi;

  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false, keyRotationGraceSeconds: 0 } });
    vaultId = await detectVault(t);
    api = new DetectApi(t, vaultId);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a key rotation re-seals Detect tokens and runs; both still read back, and the old key is retired', async () => {
    const text = 'Jane Doe, jane@example.com, SSN 536-22-1234';
    const d = await api.deidentify(text, { token_type: { default: 'vault_token' } });
    expectOk(d);
    const { run } = await api.deidentifyFile('file/text', text, 'txt');
    const rotate = await t.request('POST', `/v1/management/vaults/${vaultId}/keys/rotate`);
    expect(rotate.status, rotate.text).toBe(202);
    // Three Detect tokens and one run, besides anything else.
    expect(rotate.body.total).toBeGreaterThanOrEqual(4);
    for (let i = 0; ; i++) {
      const status = await t.request('GET', `/v1/management/vaults/${vaultId}/keys/rotation`);
      if (status.body.status === 'DONE') break;
      if (i > 200) throw new Error('rotation did not finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const store = t.server.services.store;
    expect(await store.detectRuns.countBelowKeyVersion(vaultId, 2)).toBe(0);
    expect(await store.tokens.countBelowKeyVersion(vaultId, 2)).toBe(0);
    const keys = await store.vaultKeys.listForVault(vaultId);
    expect(keys.find((k) => k.kind === 'data' && k.version === 1)?.status).toBe('retired');
    expect((await api.reidentify(d.body.processed_text)).body.text).toBe(text);
    const reread = await api.run(run.runId);
    expectOk(reread);
    expect(reread.body.output).toEqual(run.output);
  });

  it('finished runs are deleted after the retention time', async () => {
    const { run } = await api.deidentifyFile('file/text', 'jane@example.com', 'txt');
    const services = t.server.services;
    const sweeper = new DetectRunWorker(
      services.store,
      services.keyring,
      new DetectVaultTokens(services.store),
      services.logger,
      { retentionMs: 60_000, now: () => Date.now() + 61_000 },
    );
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    expectError(await api.run(run.runId), 404);
  });
});
