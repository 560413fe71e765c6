import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { cliEnv, killChildren, removeTempDirs, runCli, SPAWN_TIMEOUT, tempDir, writeJson } from './helpers.js';

const tableSchema = (table: string, fields: [string, string][]) => ({
  schemas: [{ name: table, fields: fields.map(([name, datatype]) => ({ name, datatype, isArray: false, tags: [] })) }],
  tags: [],
});

describe('strongroom vault', () => {
  let t: TestServer;
  let cwd: string;
  const cli = (...args: string[]) => runCli([...args, '--credentials', t.adminCredentialsFile], { cwd, env: cliEnv() });

  beforeAll(async () => {
    t = await startTestServer();
    cwd = tempDir();
  });
  afterAll(async () => {
    await killChildren();
    await t?.close();
    removeTempDirs();
  });

  it(
    'create from a bare {schemas} file names the vault after the file and creates its tables',
    async () => {
      const file = writeJson(cwd, 'customers.json', tableSchema('customers', [['email', 'DT_STRING']]));
      const result = await cli('vault', 'create', '--schema', file);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const id = /^Created vault ([0-9a-f]{32}) \(customers\)\n$/.exec(result.stdout)?.[1];
      expect(id).toBeDefined();
      const res = await t.request('GET', `/v1/vaults/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.vault.name).toBe('customers');
      expect(res.body.vault.schemas.map((s: any) => s.name)).toEqual(['customers']);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'create from a wrapped {name, description, vaultSchema} file takes its name; --json prints {ID}',
    async () => {
      const file = writeJson(cwd, 'wrapped.json', {
        name: 'payments',
        description: 'card data',
        vaultSchema: tableSchema('cards', [['card_number', 'DT_STRING']]),
      });
      const result = await cli('vault', 'create', '--schema', file, '--json');
      expect(result.code).toBe(0);
      const created = JSON.parse(result.stdout);
      expect(created).toEqual({ ID: expect.stringMatching(/^[0-9a-f]{32}$/) });
      const res = await t.request('GET', `/v1/vaults/${created.ID}`);
      expect(res.body.vault).toMatchObject({ name: 'payments', description: 'card data' });
    },
    SPAWN_TIMEOUT,
  );

  it(
    '--name and --description override the file',
    async () => {
      const file = writeJson(cwd, 'override.json', {
        name: 'ignored',
        vaultSchema: tableSchema('t', [['a', 'DT_INT32']]),
      });
      const result = await cli('vault', 'create', '--schema', file, '--name', 'chosen', '--description', 'mine');
      expect(result.code).toBe(0);
      const id = /Created vault ([0-9a-f]{32}) \(chosen\)/.exec(result.stdout)?.[1];
      const res = await t.request('GET', `/v1/vaults/${id}`);
      expect(res.body.vault).toMatchObject({ name: 'chosen', description: 'mine' });
    },
    SPAWN_TIMEOUT,
  );

  it(
    'list prints one line per vault with its tables, or JSON with --json',
    async () => {
      const human = await cli('vault', 'list');
      expect(human.code).toBe(0);
      const lines = human.stdout.trim().split('\n');
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^[0-9a-f]{32} {2}quickstart {2}\(persons\)$/),
          expect.stringMatching(/^[0-9a-f]{32} {2}customers {2}\(customers\)$/),
          expect.stringMatching(/^[0-9a-f]{32} {2}payments {2}\(cards\)$/),
          expect.stringMatching(/^[0-9a-f]{32} {2}chosen {2}\(t\)$/),
        ]),
      );
      expect(lines).toHaveLength(4);

      const json = await cli('vault', 'list', '--json');
      expect(json.code).toBe(0);
      const { vaults } = JSON.parse(json.stdout);
      expect(vaults.map((v: any) => v.name).sort()).toEqual(['chosen', 'customers', 'payments', 'quickstart']);
      expect(vaults[0]).toMatchObject({ ID: expect.any(String), status: 'ACTIVE', schemas: expect.any(Array) });
    },
    SPAWN_TIMEOUT,
  );

  it(
    'get prints the vault with its tables and fields, or JSON with --json',
    async () => {
      const file = writeJson(
        cwd,
        'people.json',
        tableSchema('people', [
          ['name', 'DT_STRING'],
          ['born', 'DT_DATE'],
        ]),
      );
      const id = /Created vault ([0-9a-f]{32})/.exec((await cli('vault', 'create', '--schema', file)).stdout)?.[1];
      const human = await cli('vault', 'get', id as string);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`${id}  people  ACTIVE\n`);
      expect(human.stdout).toContain('  table people\n');
      expect(human.stdout).toContain('    name  DT_STRING\n');
      expect(human.stdout).toContain('    born  DT_DATE\n');

      const json = await cli('vault', 'get', id as string, '--json');
      expect(json.code).toBe(0);
      const { vault } = JSON.parse(json.stdout);
      expect(vault).toMatchObject({ ID: id, name: 'people' });
      expect(vault.schemas[0].fields.map((f: any) => f.name)).toEqual(expect.arrayContaining(['name', 'born']));
    },
    SPAWN_TIMEOUT,
  );

  it(
    'delete removes the vault (human and --json); getting it afterwards exits 1 with a 404',
    async () => {
      const ids: string[] = [];
      for (const name of ['gone1', 'gone2']) {
        const file = writeJson(cwd, `${name}.json`, tableSchema('t', [['a', 'DT_STRING']]));
        ids.push(JSON.parse((await cli('vault', 'create', '--schema', file, '--json')).stdout).ID);
      }
      const human = await cli('vault', 'delete', ids[0] as string);
      expect(human.code).toBe(0);
      expect(human.stdout).toBe(`Deleted vault ${ids[0]}\n`);
      const json = await cli('vault', 'delete', ids[1] as string, '--json');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ ID: ids[1], deleted: true });
      for (const id of ids) expect((await t.request('GET', `/v1/vaults/${id}`)).status).toBe(404);

      const again = await cli('vault', 'get', ids[0] as string);
      expect(again.code).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(new RegExp(`^strongroom: GET /v1/vaults/${ids[0]} failed \\(404\\): .*${ids[0]}`));
    },
    SPAWN_TIMEOUT,
  );

  it(
    'an invalid schema exits 1 with the server message naming the field, and creates nothing',
    async () => {
      const before = (await t.request('GET', '/v1/vaults?limit=100')).body.vaults.length;
      const file = writeJson(cwd, 'bad.json', tableSchema('orders', [['total', 'DT_MONEY']]));
      const result = await cli('vault', 'create', '--schema', file);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^strongroom: POST \/v1\/vaults failed \(400\): /);
      expect(result.stderr).toContain('orders.total');
      expect(result.stderr).toContain('DT_MONEY');
      expect(result.stderr).toMatch(/\[request [0-9a-f-]+\]/);
      expect((await t.request('GET', '/v1/vaults?limit=100')).body.vaults.length).toBe(before);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a schema file that is missing, not JSON or not an object exits 2 before contacting the server',
    async () => {
      const missing = await cli('vault', 'create', '--schema', 'nope.json');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read schema file nope.json');

      const notJson = path.join(cwd, 'not-json.json');
      writeFileSync(notJson, '{ schemas: ');
      const parsed = await cli('vault', 'create', '--schema', notJson);
      expect(parsed.code).toBe(2);
      expect(parsed.stderr).toContain(`cannot read schema file ${notJson}`);

      const array = writeJson(cwd, 'array.json', [{ name: 't' }]);
      const notObject = await runCli(['vault', 'create', '--schema', array, '--url', 'http://127.0.0.1:1'], {
        cwd,
        env: cliEnv({ STRONGROOM_CREDENTIALS_FILE: t.adminCredentialsFile }),
      });
      expect(notObject.code).toBe(2);
      expect(notObject.stderr).toContain('must hold a JSON object');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'a vault ID the server cannot parse exits 1 with its message',
    async () => {
      const result = await cli('vault', 'delete', 'not-an-id');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('must be a 32-character lowercase hex ID');
    },
    SPAWN_TIMEOUT,
  );

  it(
    'list shows every vault, past the server page size of 100',
    async () => {
      const existing = (await t.request('GET', '/v1/vaults?limit=100')).body.vaults.length;
      const schema = tableSchema('t', [['a', 'DT_STRING']]);
      for (let i = existing; i < 103; i++) {
        const res = await t.request('POST', '/v1/vaults', { body: { name: `bulk-${i}`, vaultSchema: schema } });
        expect(res.status).toBe(200);
      }
      const json = await cli('vault', 'list', '--json');
      expect(json.code).toBe(0);
      const { vaults } = JSON.parse(json.stdout);
      expect(vaults).toHaveLength(103);
      expect(new Set(vaults.map((v: any) => v.ID)).size).toBe(103);
    },
    SPAWN_TIMEOUT,
  );
});
