import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createVault, DataApi, dlp, expectError, field, tokenPolicy, unique, vaultRoles } from '../data-api/helpers.js';
import { dropSchema, freshSchemaUrl, postgresAvailable } from '../support/postgres.js';
import { type Credentials, startTestServer, type TestServer, tokenFor } from '../support/server.js';

const PEOPLE = 250;
const TABLE = {
  name: 'people',
  fields: [
    field('name', 'DT_STRING', tokenPolicy('NON_DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
    field('email', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), unique(), dlp('PLAIN_TEXT')),
    field('ssn', 'DT_STRING', tokenPolicy('DETERMINISTIC_UUID'), dlp('PLAIN_TEXT')),
    field('photo', 'DT_FILE_TYPE', dlp('PLAIN_TEXT')),
  ],
};

const person = (i: number, tag = 'p') => ({
  name: `Person ${tag} ${i}`,
  email: `${tag}${i}@example.com`,
  ssn: `${String(100 + (i % 800)).padStart(3, '0')}-${String(i % 100).padStart(2, '0')}-${String(i).padStart(4, '0')}`,
});

interface Stored {
  id: string;
  values: { name: string; email: string; ssn: string };
  tokens: Record<string, string>;
}

/** Inserts `count` people, 25 per request (the Data API's limit), returning what was stored. */
async function insertPeople(api: DataApi, count: number, tag = 'p'): Promise<Stored[]> {
  const out: Stored[] = [];
  for (let start = 0; start < count; start += 25) {
    const values = Array.from({ length: Math.min(25, count - start) }, (_, k) => person(start + k, tag));
    const records = await api.insertTokens('people', values);
    records.forEach((r, k) => {
      out.push({ id: r.skyflow_id, values: values[k]!, tokens: r.tokens });
    });
  }
  return out;
}

async function uploadPhoto(url: string, token: string, vaultId: string, id: string, content: string) {
  const body = new FormData();
  body.append('columnName', 'photo');
  body.append('file', new Blob([content], { type: 'image/png' }), 'photo.png');
  const res = await fetch(`${url}/v1/vaults/${vaultId}/people/${id}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body,
  });
  expect(res.status).toBe(200);
}

/** Values, tokens and files still sealed under a data-key version below `version`. */
async function below(store: Store, vaultId: string, version: number) {
  return {
    cells: await store.records.countBelowKeyVersion(vaultId, version),
    tokens: await store.tokens.countBelowKeyVersion(vaultId, version),
    files: await store.files.countBelowKeyVersion(vaultId, version),
  };
}

async function dataKeys(store: Store, vaultId: string) {
  return (await store.vaultKeys.listForVault(vaultId))
    .filter((k) => k.kind === 'data')
    .map((k) => ({ version: k.version, status: k.status }))
    .sort((a, b) => a.version - b.version);
}

/** Every stored person reads back in plain text, and every token detokenizes to its value. */
async function expectAllReadable(api: DataApi, people: readonly Stored[]) {
  for (let start = 0; start < people.length; start += 25) {
    const page = people.slice(start, start + 25);
    const fields = await api.fields(
      'people',
      page.map((p) => p.id),
    );
    expect(fields.map(({ name, email, ssn }) => ({ name, email, ssn }))).toEqual(page.map((p) => p.values));
    const tokens = page.flatMap((p) => [p.tokens.name!, p.tokens.email!, p.tokens.ssn!]);
    const res = await api.detokenize(tokens.map((token) => ({ token, redaction: 'PLAIN_TEXT' })));
    expect(res.status).toBe(200);
    expect(res.body.records.map((r: { value: string }) => r.value)).toEqual(
      page.flatMap((p) => [p.values.name, p.values.email, p.values.ssn]),
    );
  }
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`data key rotation (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let api: DataApi;
    let people: Stored[];
    const PHOTO = `PNG-${randomBytes(8).toString('hex')}`;

    beforeAll(async () => {
      t = await startTestServer({ store, config: { keyRotationGraceSeconds: 0 } });
      vaultId = await createVault(t, 'rotation', [TABLE]);
      api = new DataApi(t, vaultId);
      people = await insertPeople(api, PEOPLE);
      await uploadPhoto(t.url, await t.adminToken(), vaultId, people[0]!.id, PHOTO);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    it('re-seals every value, token and file under a new version while writes go on, then retires the old one', async () => {
      const { store: db } = t.server.services;
      const before = await below(db, vaultId, 2);
      expect(before.cells).toBeGreaterThanOrEqual(PEOPLE * 3);
      expect(before.tokens).toBe(PEOPLE * 3);
      expect(before.files).toBe(1);

      const started = await t.request('POST', `/v1/management/vaults/${vaultId}/keys/rotate`);
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({
        vaultID: vaultId,
        toVersion: 2,
        total: before.cells + before.tokens + before.files,
        finishedOn: null,
      });

      // Writes and reads during the rotation: updates of people being re-sealed, and new people.
      const [, added] = await Promise.all([
        (async () => {
          for (const p of people.slice(0, 50)) {
            const renamed = { ...p.values, name: `${p.values.name} (renamed)` };
            const res = await api.update('people', p.id, { name: renamed.name }, { tokenization: true });
            expect(res.status).toBe(200);
            p.values = renamed;
            p.tokens.name = res.body.tokens.name;
          }
        })(),
        insertPeople(api, 50, 'during'),
        expectAllReadable(api, people.slice(100, 150)),
      ]);
      people.push(...added);

      await t.server.services.rotations.idle();
      const status = await t.request('GET', `/v1/management/vaults/${vaultId}/keys/rotation`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ vaultID: vaultId, toVersion: 2, status: 'DONE', done: started.body.total });
      expect(status.body.finishedOn).toEqual(expect.any(String));

      expect(await below(db, vaultId, 2)).toEqual({ cells: 0, tokens: 0, files: 0 });
      expect(await dataKeys(db, vaultId)).toEqual([
        { version: 1, status: 'retired' },
        { version: 2, status: 'active' },
      ]);

      await expectAllReadable(api, people);
      const photo = await api.getOne('people', people[0]!.id, { downloadURL: true });
      expect(await (await fetch(photo.body.fields.photo)).text()).toBe(PHOTO);
      // Deterministic tokens and unique values still find their existing rows.
      const again = await api.tokenize([{ value: people[10]!.values.email, table: 'people', column: 'email' }]);
      expect(again.status).toBe(200);
      expect(again.body.records[0].token).toBe(people[10]!.tokens.email);
      expectError(await api.insert('people', [{ ...person(10), name: 'duplicate' }]), 400, /unique/);
    }, 120_000);

    it('rotates again to a third version', async () => {
      const started = await t.request('POST', `/v1/management/vaults/${vaultId}/keys/rotate`);
      expect(started.status).toBe(202);
      expect(started.body.toVersion).toBe(3);
      await t.server.services.rotations.idle();
      const { store: db } = t.server.services;
      expect(await below(db, vaultId, 3)).toEqual({ cells: 0, tokens: 0, files: 0 });
      expect((await dataKeys(db, vaultId)).map((k) => k.status)).toEqual(['retired', 'retired', 'active']);
      await expectAllReadable(api, people.slice(0, 25));
    }, 120_000);

    it('answers errors in the documented shape and needs the right role', async () => {
      const other = await createVault(t, 'never-rotated', [TABLE]);
      expectError(await t.request('GET', `/v1/management/vaults/${other}/keys/rotation`), 404, /never rotated/);
      const unknown = 'f'.repeat(32);
      expectError(await t.request('POST', `/v1/management/vaults/${unknown}/keys/rotate`), 404);
      expectError(await t.request('POST', '/v1/management/vaults/not-a-vault/keys/rotate'), 400);
      expectError(await t.request('POST', `/v1/management/vaults/${vaultId}/keys/rotate`, { token: null }), 401);

      const roles = await vaultRoles(t, vaultId);
      const account = await t.request('POST', '/v1/serviceAccounts', {
        body: { serviceAccount: { name: 'rotation-viewer' } },
      });
      expect(account.status).toBe(200);
      const assigned = await t.request('POST', '/v1/roles/assign', {
        body: {
          ID: roles.VAULT_VIEWER,
          members: [{ ID: account.body.clientID, type: 'SERVICE_ACCOUNT' }],
        },
      });
      expect(assigned.status).toBe(200);
      const viewer = await tokenFor(t.url, account.body as Credentials);
      expectError(await t.request('POST', `/v1/management/vaults/${vaultId}/keys/rotate`, { token: viewer }), 403);
      const status = await t.request('GET', `/v1/management/vaults/${vaultId}/keys/rotation`, { token: viewer });
      expect(status.status).toBe(200);
    });
  });

  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(
    `a data key rotation interrupted by a shutdown (${store})`,
    () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'strongroom-rotation-'));
      const rootKey = randomBytes(32).toString('base64');
      const schema = store === 'postgres' ? freshSchemaUrl() : undefined;
      const quiet = createLogger(
        'silent',
        new Writable({
          write(_c, _e, done) {
            done();
          },
        }),
      );
      const start = (graceSeconds: number) =>
        startServer(
          loadConfig({
            flags: {
              port: 0,
              host: '127.0.0.1',
              dataDir,
              rootKey,
              keyRotationGraceSeconds: graceSeconds,
              ...(schema && { databaseUrl: schema.url }),
            },
            env: {},
          }),
          { logger: quiet },
        );
      let running: RunningServer | undefined;

      afterAll(async () => {
        await running?.close();
        if (schema) await dropSchema(schema.schema);
        rmSync(dataDir, { recursive: true, force: true });
      });

      it('resumes when the server starts again and finishes on the new version', async () => {
        // A long grace period keeps the first server's rotation from finishing before it is stopped.
        running = await start(3600);
        const credentials = JSON.parse(readFileSync(running.bootstrap.adminCredentialsFile, 'utf8')) as Credentials;
        const asAdmin = async (server: RunningServer) => {
          const token = await tokenFor(server.url, credentials);
          const request: TestServer['request'] = async (method, url, options = {}) => {
            const res = await fetch(`${server.url}${url}`, {
              method,
              headers: {
                authorization: `Bearer ${token}`,
                ...(options.body !== undefined && { 'content-type': 'application/json' }),
              },
              ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
            });
            const text = await res.text();
            return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
          };
          return { request } as TestServer;
        };

        const first = await asAdmin(running);
        const vault = await createVault(first, 'interrupted', [TABLE]);
        const stored = await insertPeople(new DataApi(first, vault), 100);
        const rotated = await first.request('POST', `/v1/management/vaults/${vault}/keys/rotate`);
        expect(rotated.status).toBe(202);
        const databaseUrl = running.services.config.databaseUrl;
        await running.close();
        running = undefined;
        // Stopped mid-rotation: still RUNNING in the store, the old key still in use.
        const offline = openStore(databaseUrl);
        expect((await offline.keyRotations.latest(vault))?.status).toBe('RUNNING');
        expect((await dataKeys(offline, vault)).map((k) => k.status)).toEqual(['active', 'active']);
        await offline.close();

        const db = () => (running as RunningServer).services.store;
        running = await start(0);
        const second = await asAdmin(running);
        await running.services.rotations.idle();
        const status = await second.request('GET', `/v1/management/vaults/${vault}/keys/rotation`);
        expect(status.body).toMatchObject({ toVersion: 2, status: 'DONE', done: rotated.body.total });
        expect(await below(db(), vault, 2)).toEqual({ cells: 0, tokens: 0, files: 0 });
        expect(await dataKeys(db(), vault)).toEqual([
          { version: 1, status: 'retired' },
          { version: 2, status: 'active' },
        ]);
        await expectAllReadable(new DataApi(second, vault), stored);
      }, 120_000);
    },
  );
}
