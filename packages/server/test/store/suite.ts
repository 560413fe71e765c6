import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/store/in-transaction.js';
import {
  type NewRecord,
  type Repositories,
  type Store,
  type StoredCell,
  UniqueViolationError,
} from '../../src/store/types.js';
import {
  apiKeyRow,
  publicKeyRow,
  rawConnection,
  roleRow,
  type StoreTarget,
  serviceAccountRow,
  signingKeyRow,
  TIME_BASE,
  vaultKeyRow,
  vaultRow,
  within,
} from './harness.js';

function cell(column: string, overrides: Partial<StoredCell> = {}): StoredCell {
  return {
    column,
    value: Buffer.from([0x01, 0x00, 0xff, 0x80, ...Buffer.from(column)]),
    keyVersion: 1,
    lookupIndex: null,
    uniqueIndex: null,
    ...overrides,
  };
}

function record(id: string, cells: StoredCell[]): NewRecord {
  return { id, createdAt: TIME_BASE + 100, cells };
}

/** Writes a vault with its keys, a role with a member, a service account with an API key, and a record. */
async function writeVaultGraph(repos: Repositories, id: string): Promise<void> {
  await repos.vaults.insert(vaultRow(id));
  await repos.vaultKeys.insert(vaultKeyRow(id, { kind: 'data' }));
  await repos.vaultKeys.insert(vaultKeyRow(id, { kind: 'index' }));
  await repos.roles.insert(roleRow(`role-${id}`, { resourceId: id }));
  await repos.serviceAccounts.insert(serviceAccountRow(`sa-${id}`));
  await repos.roles.addMember({
    roleId: `role-${id}`,
    memberId: `sa-${id}`,
    memberType: 'SERVICE_ACCOUNT',
    createdAt: TIME_BASE,
  });
  await repos.apiKeys.insert(apiKeyRow(`key-${id}`, `sa-${id}`));
  await repos.records.insert(id, 'persons', record(`rec-${id}`, [cell('email')]));
  await repos.meta.set(`meta-${id}`, 'written');
}

/** What {@link writeVaultGraph} wrote, as seen through `repos`; all empty when nothing of it is visible. */
async function readVaultGraph(repos: Repositories, id: string) {
  return {
    vault: await repos.vaults.get(id),
    keys: await repos.vaultKeys.listForVault(id),
    role: await repos.roles.get(`role-${id}`),
    members: await repos.roles.members(`role-${id}`),
    account: await repos.serviceAccounts.get(`sa-${id}`),
    apiKey: await repos.apiKeys.get(`key-${id}`),
    records: await repos.records.hasData(id, 'persons'),
    meta: await repos.meta.get(`meta-${id}`),
  };
}

function expectFullGraph(graph: Awaited<ReturnType<typeof readVaultGraph>>, id: string): void {
  expect(graph.vault).toEqual(vaultRow(id));
  expect(graph.keys.map((k) => k.kind)).toEqual(['data', 'index']);
  expect(graph.role?.resourceId).toBe(id);
  expect(graph.members.map((m) => m.memberId)).toEqual([`sa-${id}`]);
  expect(graph.account?.id).toBe(`sa-${id}`);
  expect(graph.apiKey?.id).toBe(`key-${id}`);
  expect(graph.records).toBe(true);
  expect(graph.meta).toBe('written');
}

function expectNoGraph(graph: Awaited<ReturnType<typeof readVaultGraph>>): void {
  expect(graph).toEqual({
    vault: undefined,
    keys: [],
    role: undefined,
    members: [],
    account: undefined,
    apiKey: undefined,
    records: false,
    meta: undefined,
  });
}

/**
 * The one storage test suite. Each test gets a store on a brand-new, migrated database of the target's
 * kind; `target` removes every database it made in `afterAll`.
 */
export function defineStoreSuite(target: StoreTarget): void {
  let store: Store;
  beforeEach(async () => {
    store = await target.fresh();
  });
  afterEach(async () => {
    await target.reset();
  });
  afterAll(async () => {
    await target.dispose();
  });

  describe('lifecycle', () => {
    it('reports its kind', () => {
      expect(store.kind).toBe(target.kind);
    });

    it('ping() resolves on a working store', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('migrate() is idempotent: running it again keeps the schema and the data', async () => {
      await store.vaults.insert(vaultRow('v1'));
      await store.migrate();
      await store.migrate();
      expect(await store.vaults.get('v1')).toEqual(vaultRow('v1'));
      expect(await store.vaults.count()).toBe(1);
    });

    it('migrate() from a second store instance on an already migrated database is a no-op', async () => {
      await store.meta.set('k', 'v');
      const other = target.reopen(store);
      await other.migrate();
      expect(await other.meta.get('k')).toBe('v');
      await other.meta.set('k2', 'v2');
      expect(await store.meta.get('k2')).toBe('v2');
    });

    it('a migration that fails part-way leaves nothing half-applied, and a later migrate() completes', async () => {
      const { store: blank, location } = target.blank();
      await blank.ping(); // creates the SQLite file
      const raw = await rawConnection(target.kind, location, { writable: true });
      try {
        if (target.kind === 'postgres') {
          await raw.all(`create schema "${new URL(location).searchParams.get('schema')}"`);
        }
        // Occupies the name of an index that migration 0002 creates after its two tables.
        await raw.all('create table record_values_lookup (x integer)');
        await expect(blank.migrate()).rejects.toThrow(/0002_records/);
        const tables = async () =>
          (
            await raw.all(
              target.kind === 'sqlite'
                ? "select name from sqlite_master where type = 'table' and name in ('meta', 'vaults', 'records', 'record_values')"
                : "select table_name as name from information_schema.tables where table_schema = current_schema() and table_name in ('meta', 'vaults', 'records', 'record_values')",
            )
          ).map((r) => r.name);
        expect(await tables()).toEqual([]);

        await raw.all('drop table record_values_lookup');
        await blank.migrate();
        expect((await tables()).sort()).toEqual(['meta', 'record_values', 'records', 'vaults']);
        await blank.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: Buffer.from('a') })]));
        expect(await blank.records.findByUniqueIndex('v1', 'persons', 'email', Buffer.from('a'))).toBe('r1');
      } finally {
        await raw.close();
      }
    });

    it('migrate() refuses a database that a newer version migrated, and changes nothing', async () => {
      const raw = await rawConnection(target.kind, target.locationOf(store), { writable: true });
      try {
        await raw.all('insert into kysely_migration (name, timestamp) values (?, ?)', ['9999_future', 'x']);
      } finally {
        await raw.close();
      }
      await expect(store.migrate()).rejects.toThrow(/9999_future/);
      await store.meta.set('still', 'works');
      expect(await store.meta.get('still')).toBe('works');
    });

    it('close() makes further use reject promptly instead of hanging', async () => {
      await store.close();
      await expect(within(5_000, store.ping())).rejects.toThrow();
      await expect(within(5_000, store.vaults.get('v1'))).rejects.toThrow();
      await expect(within(5_000, store.meta.set('k', 'v'))).rejects.toThrow();
      await expect(
        within(
          5_000,
          store.transaction(async (tx) => tx.vaults.count()),
        ),
      ).rejects.toThrow();
      await expect(within(5_000, store.migrate())).rejects.toThrow();
    });

    it('close() leaves every committed write on disk for the next store instance', async () => {
      const other = target.reopen(store);
      await store.transaction((tx) => writeVaultGraph(tx, 'v1'));
      await store.close();
      expectFullGraph(await readVaultGraph(other, 'v1'), 'v1');
    });
  });

  describe('meta', () => {
    it('get() returns undefined for an unknown key', async () => {
      expect(await store.meta.get('missing')).toBeUndefined();
    });

    it('set() inserts and then overwrites', async () => {
      await store.meta.set('k', 'one');
      expect(await store.meta.get('k')).toBe('one');
      await store.meta.set('k', 'two');
      expect(await store.meta.get('k')).toBe('two');
    });

    it('setIfAbsent() stores the value when absent and returns the already-stored value when present', async () => {
      expect(await store.meta.setIfAbsent('k', 'first')).toBe('first');
      expect(await store.meta.setIfAbsent('k', 'second')).toBe('first');
      expect(await store.meta.get('k')).toBe('first');
    });

    it('setIfAbsent() racing against itself settles on one value for every caller', async () => {
      const other = target.reopen(store);
      const results = await Promise.all([
        store.meta.setIfAbsent('race', 'a'),
        other.meta.setIfAbsent('race', 'b'),
        store.meta.setIfAbsent('race', 'c'),
        other.meta.setIfAbsent('race', 'd'),
      ]);
      expect(new Set(results).size).toBe(1);
      expect(await store.meta.get('race')).toBe(results[0]);
    });

    it('values round-trip exactly, including the empty string and non-ASCII text', async () => {
      const value = ' ünïcödé ✓ 🔐 "q" \\ \n \t ';
      await store.meta.set('empty', '');
      await store.meta.set('text', value);
      expect(await store.meta.get('empty')).toBe('');
      expect(await store.meta.get('text')).toBe(value);
    });
  });

  describe('vaults', () => {
    it('insert() then get() returns the row exactly, schema JSON included', async () => {
      await store.vaults.insert(vaultRow('v1'));
      const got = await store.vaults.get('v1');
      expect(got).toEqual(vaultRow('v1'));
      expect(JSON.stringify(got?.schema)).toBe(JSON.stringify(vaultRow('v1').schema));
    });

    it('get() returns undefined for an unknown id', async () => {
      expect(await store.vaults.get('nope')).toBeUndefined();
    });

    it('insert() of an existing id throws UniqueViolationError', async () => {
      await store.vaults.insert(vaultRow('v1'));
      await expect(store.vaults.insert(vaultRow('v1', { name: 'other' }))).rejects.toBeInstanceOf(UniqueViolationError);
      expect((await store.vaults.get('v1'))?.name).toBe('vault-v1');
    });

    it('list() orders by id and pages with offset/limit', async () => {
      for (const id of ['v3', 'v1', 'v5', 'v2', 'v4']) await store.vaults.insert(vaultRow(id));
      const ids = async (offset: number, limit: number) =>
        (await store.vaults.list({}, { offset, limit })).map((v) => v.id);
      expect(await ids(0, 100)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
      expect(await ids(0, 2)).toEqual(['v1', 'v2']);
      expect(await ids(2, 2)).toEqual(['v3', 'v4']);
      expect(await ids(4, 2)).toEqual(['v5']);
      expect(await ids(5, 2)).toEqual([]);
      expect(await ids(1, 0)).toEqual([]);
    });

    it('list() takes any offset up to the largest safe integer and rejects a negative, fractional or unsafe page', async () => {
      await store.vaults.insert(vaultRow('v1'));
      expect(await store.vaults.list({}, { offset: Number.MAX_SAFE_INTEGER, limit: 10 })).toEqual([]);
      expect(await store.vaults.list({}, { offset: 0, limit: Number.MAX_SAFE_INTEGER })).toHaveLength(1);
      const bad = [
        { offset: -1, limit: 10 },
        { offset: 0, limit: -1 },
        { offset: 0.5, limit: 10 },
        { offset: 0, limit: 1.5 },
        { offset: 1e20, limit: 10 },
        { offset: 0, limit: Number.NaN },
      ];
      for (const page of bad) {
        await expect(store.vaults.list({}, page)).rejects.toBeInstanceOf(RangeError);
        await expect(store.serviceAccounts.list({}, page)).rejects.toBeInstanceOf(RangeError);
      }
    });

    it('list() filters by name and by status, alone and together', async () => {
      await store.vaults.insert(vaultRow('v1', { name: 'alpha', status: 'ACTIVE' }));
      await store.vaults.insert(vaultRow('v2', { name: 'beta', status: 'ACTIVE' }));
      await store.vaults.insert(vaultRow('v3', { name: 'alpha', status: 'DELETING' }));
      const ids = async (filter: { name?: string; status?: string }) =>
        (await store.vaults.list(filter, { offset: 0, limit: 10 })).map((v) => v.id);
      expect(await ids({ name: 'alpha' })).toEqual(['v1', 'v3']);
      expect(await ids({ status: 'ACTIVE' })).toEqual(['v1', 'v2']);
      expect(await ids({ name: 'alpha', status: 'ACTIVE' })).toEqual(['v1']);
      expect(await ids({ name: 'gamma' })).toEqual([]);
      expect(await ids({ name: 'ALPHA' })).toEqual([]);
      expect((await store.vaults.list({ name: 'beta' }, { offset: 0, limit: 10 }))[0]).toEqual(
        vaultRow('v2', { name: 'beta', status: 'ACTIVE' }),
      );
    });

    it('update() applies a partial patch and leaves the other columns alone', async () => {
      await store.vaults.insert(vaultRow('v1'));
      await store.vaults.insert(vaultRow('v2'));
      expect(await store.vaults.update('v1', { status: 'DELETING', updatedAt: TIME_BASE + 50, updatedBy: 'u2' })).toBe(
        true,
      );
      expect(await store.vaults.get('v1')).toEqual(
        vaultRow('v1', { status: 'DELETING', updatedAt: TIME_BASE + 50, updatedBy: 'u2' }),
      );

      const schema = { tables: [{ name: 't', fields: [] }], list: [1, 'two', null] };
      expect(
        await store.vaults.update('v1', {
          name: 'renamed',
          description: '',
          schema,
          updatedAt: TIME_BASE + 60,
          updatedBy: 'u3',
        }),
      ).toBe(true);
      expect(await store.vaults.get('v1')).toEqual(
        vaultRow('v1', {
          name: 'renamed',
          description: '',
          schema,
          status: 'DELETING',
          updatedAt: TIME_BASE + 60,
          updatedBy: 'u3',
        }),
      );
      expect(await store.vaults.get('v2')).toEqual(vaultRow('v2'));
    });

    it('update() returns false for an unknown id and creates nothing', async () => {
      expect(await store.vaults.update('nope', { name: 'x', updatedAt: 1, updatedBy: 'u' })).toBe(false);
      expect(await store.vaults.count()).toBe(0);
    });

    it('delete() removes one vault and reports whether it existed', async () => {
      await store.vaults.insert(vaultRow('v1'));
      await store.vaults.insert(vaultRow('v2'));
      expect(await store.vaults.delete('v1')).toBe(true);
      expect(await store.vaults.delete('v1')).toBe(false);
      expect(await store.vaults.get('v1')).toBeUndefined();
      expect(await store.vaults.get('v2')).toEqual(vaultRow('v2'));
    });

    it('count() counts vaults as a number', async () => {
      expect(await store.vaults.count()).toBe(0);
      await store.vaults.insert(vaultRow('v1'));
      await store.vaults.insert(vaultRow('v2'));
      const n = await store.vaults.count();
      expect(n).toBe(2);
      expect(typeof n).toBe('number');
    });

    it('schema JSON of every shape round-trips exactly', async () => {
      const shapes: unknown[] = [
        null,
        0,
        -1.25,
        'text',
        true,
        [],
        {},
        [{ a: [{ b: null }] }],
        { '': '', 'ü ✓': [1e21] },
      ];
      for (const [i, schema] of shapes.entries()) await store.vaults.insert(vaultRow(`v${i}`, { schema }));
      for (const [i, schema] of shapes.entries()) expect((await store.vaults.get(`v${i}`))?.schema).toEqual(schema);
    });
  });

  describe('vault keys', () => {
    it('listForVault() returns only that vault’s keys ordered by kind then version, bytes as Buffer', async () => {
      const wrapped = (n: number) => Buffer.from([n, 0, 0xff, 0x80, 0x00, n ^ 0xff]);
      await store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'index', version: 2, wrapped: wrapped(1) }));
      await store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'data', version: 10, wrapped: wrapped(2) }));
      await store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'index', version: 1, wrapped: wrapped(3) }));
      await store.vaultKeys.insert(
        vaultKeyRow('v1', { kind: 'data', version: 2, wrapped: wrapped(4), status: 'retired' }),
      );
      await store.vaultKeys.insert(vaultKeyRow('v2', { kind: 'data', version: 1, wrapped: wrapped(5) }));

      const keys = await store.vaultKeys.listForVault('v1');
      expect(keys.map((k) => [k.kind, k.version])).toEqual([
        ['data', 2],
        ['data', 10],
        ['index', 1],
        ['index', 2],
      ]);
      expect(keys[0]).toEqual(vaultKeyRow('v1', { kind: 'data', version: 2, wrapped: wrapped(4), status: 'retired' }));
      for (const key of keys) {
        expect(Buffer.isBuffer(key.wrapped)).toBe(true);
        expect(typeof key.version).toBe('number');
      }
      expect(keys.map((k) => k.wrapped.toString('hex'))).toEqual(
        [wrapped(4), wrapped(2), wrapped(3), wrapped(1)].map((b) => b.toString('hex')),
      );
      expect(await store.vaultKeys.listForVault('v3')).toEqual([]);
    });

    it('wrapped keys of every length, including empty and 4 KiB of random bytes, round-trip', async () => {
      const big = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256));
      await store.vaultKeys.insert(vaultKeyRow('v1', { version: 1, wrapped: Buffer.alloc(0) }));
      await store.vaultKeys.insert(vaultKeyRow('v1', { version: 2, wrapped: big }));
      const keys = await store.vaultKeys.listForVault('v1');
      expect(keys.map((k) => k.wrapped.length)).toEqual([0, 4096]);
      expect(keys[1]?.wrapped.equals(big)).toBe(true);
    });

    it('a duplicate (vault, kind, version) throws UniqueViolationError; other combinations are fine', async () => {
      await store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'data', version: 1 }));
      await expect(
        store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'data', version: 1, wrapped: Buffer.from('x') })),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      await store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'index', version: 1 }));
      await store.vaultKeys.insert(vaultKeyRow('v1', { kind: 'data', version: 2 }));
      await store.vaultKeys.insert(vaultKeyRow('v2', { kind: 'data', version: 1 }));
      expect(await store.vaultKeys.listForVault('v1')).toHaveLength(3);
    });

    it('deleteForVault() removes that vault’s keys only', async () => {
      await store.vaultKeys.insert(vaultKeyRow('v1', { version: 1 }));
      await store.vaultKeys.insert(vaultKeyRow('v1', { version: 2 }));
      await store.vaultKeys.insert(vaultKeyRow('v2', { version: 1 }));
      await store.vaultKeys.deleteForVault('v1');
      expect(await store.vaultKeys.listForVault('v1')).toEqual([]);
      expect(await store.vaultKeys.listForVault('v2')).toHaveLength(1);
    });
  });

  describe('service accounts', () => {
    it('insert() then get() returns the row exactly, with booleans as booleans', async () => {
      const on = serviceAccountRow('sa1');
      const off = serviceAccountRow('sa2', {
        apiKeyEnabled: false,
        status: 'INACTIVE',
        clientConfiguration: { enforceContextID: false, enforceSignedDataTokens: true },
      });
      await store.serviceAccounts.insert(on);
      await store.serviceAccounts.insert(off);
      expect(await store.serviceAccounts.get('sa1')).toEqual(on);
      expect(await store.serviceAccounts.get('sa2')).toEqual(off);
      expect((await store.serviceAccounts.get('sa1'))?.apiKeyEnabled).toBe(true);
      expect((await store.serviceAccounts.get('sa2'))?.apiKeyEnabled).toBe(false);
      expect(await store.serviceAccounts.get('sa3')).toBeUndefined();
    });

    it('insert() of an existing id throws UniqueViolationError', async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa1'));
      await expect(store.serviceAccounts.insert(serviceAccountRow('sa1'))).rejects.toBeInstanceOf(UniqueViolationError);
    });

    it('list() filters by name and status, orders by id and pages', async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa3', { name: 'app' }));
      await store.serviceAccounts.insert(serviceAccountRow('sa1', { name: 'app' }));
      await store.serviceAccounts.insert(serviceAccountRow('sa2', { name: 'ops', status: 'INACTIVE' }));
      const ids = async (filter: { name?: string; status?: string }, offset = 0, limit = 10) =>
        (await store.serviceAccounts.list(filter, { offset, limit })).map((a) => a.id);
      expect(await ids({})).toEqual(['sa1', 'sa2', 'sa3']);
      expect(await ids({}, 1, 1)).toEqual(['sa2']);
      expect(await ids({ name: 'app' })).toEqual(['sa1', 'sa3']);
      expect(await ids({ status: 'INACTIVE' })).toEqual(['sa2']);
      expect(await ids({ name: 'ops', status: 'ACTIVE' })).toEqual([]);
    });

    it('update() applies a partial patch; returns false for an unknown id', async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa1'));
      const patch = {
        displayName: 'New name',
        clientConfiguration: { enforceContextID: false, enforceSignedDataTokens: true },
        updatedAt: TIME_BASE + 70,
        updatedBy: 'u9',
      };
      expect(await store.serviceAccounts.update('sa1', patch)).toBe(true);
      expect(await store.serviceAccounts.get('sa1')).toEqual(serviceAccountRow('sa1', patch));
      expect(
        await store.serviceAccounts.update('sa1', { status: 'INACTIVE', updatedAt: TIME_BASE + 71, updatedBy: 'u9' }),
      ).toBe(true);
      expect(await store.serviceAccounts.get('sa1')).toEqual(
        serviceAccountRow('sa1', { ...patch, status: 'INACTIVE', updatedAt: TIME_BASE + 71 }),
      );
      expect(await store.serviceAccounts.update('nope', { name: 'x', updatedAt: 1, updatedBy: 'u' })).toBe(false);
    });

    it('delete() removes the account and, through the foreign keys, its keys and API keys', async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa1'));
      await store.serviceAccounts.insert(serviceAccountRow('sa2'));
      await store.serviceAccountKeys.insert(publicKeyRow('k1', 'sa1'));
      await store.serviceAccountKeys.insert(publicKeyRow('k2', 'sa2'));
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1'));
      await store.apiKeys.insert(apiKeyRow('a2', 'sa2'));
      expect(await store.serviceAccounts.delete('sa1')).toBe(true);
      expect(await store.serviceAccounts.delete('sa1')).toBe(false);
      expect(await store.serviceAccounts.get('sa1')).toBeUndefined();
      expect(await store.serviceAccountKeys.listForAccount('sa1')).toEqual([]);
      expect(await store.apiKeys.listForAccount('sa1')).toEqual([]);
      expect(await store.apiKeys.findByHash('hash-a1')).toBeUndefined();
      expect(await store.serviceAccountKeys.listForAccount('sa2')).toHaveLength(1);
      expect(await store.apiKeys.listForAccount('sa2')).toHaveLength(1);
    });
  });

  describe('service account keys', () => {
    beforeEach(async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa1'));
      await store.serviceAccounts.insert(serviceAccountRow('sa2'));
    });

    it('insert(), get() and listForAccount() (ordered by id) round-trip rows exactly', async () => {
      await store.serviceAccountKeys.insert(publicKeyRow('k2', 'sa1'));
      await store.serviceAccountKeys.insert(publicKeyRow('k1', 'sa1', { status: 'REVOKED' }));
      await store.serviceAccountKeys.insert(publicKeyRow('k3', 'sa2'));
      expect(await store.serviceAccountKeys.get('k2')).toEqual(publicKeyRow('k2', 'sa1'));
      expect(await store.serviceAccountKeys.get('nope')).toBeUndefined();
      expect(await store.serviceAccountKeys.listForAccount('sa1')).toEqual([
        publicKeyRow('k1', 'sa1', { status: 'REVOKED' }),
        publicKeyRow('k2', 'sa1'),
      ]);
    });

    it('insert() of an existing id throws UniqueViolationError', async () => {
      await store.serviceAccountKeys.insert(publicKeyRow('k1', 'sa1'));
      await expect(store.serviceAccountKeys.insert(publicKeyRow('k1', 'sa2'))).rejects.toBeInstanceOf(
        UniqueViolationError,
      );
    });

    it('delete() and deleteForAccount() remove only what they name', async () => {
      await store.serviceAccountKeys.insert(publicKeyRow('k1', 'sa1'));
      await store.serviceAccountKeys.insert(publicKeyRow('k2', 'sa1'));
      await store.serviceAccountKeys.insert(publicKeyRow('k3', 'sa1'));
      await store.serviceAccountKeys.insert(publicKeyRow('k4', 'sa2'));
      expect(await store.serviceAccountKeys.delete('k1')).toBe(true);
      expect(await store.serviceAccountKeys.delete('k1')).toBe(false);
      expect((await store.serviceAccountKeys.listForAccount('sa1')).map((k) => k.id)).toEqual(['k2', 'k3']);
      await store.serviceAccountKeys.deleteForAccount('sa1');
      expect(await store.serviceAccountKeys.listForAccount('sa1')).toEqual([]);
      expect((await store.serviceAccountKeys.listForAccount('sa2')).map((k) => k.id)).toEqual(['k4']);
    });
  });

  describe('API keys', () => {
    beforeEach(async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa1'));
      await store.serviceAccounts.insert(serviceAccountRow('sa2'));
    });

    it('insert(), get() and findByHash() round-trip rows exactly, expiresAt null or a number', async () => {
      const expiring = apiKeyRow('a1', 'sa1');
      const forever = apiKeyRow('a2', 'sa1', { expiresAt: null, status: 'DISABLED' });
      await store.apiKeys.insert(expiring);
      await store.apiKeys.insert(forever);
      expect(await store.apiKeys.get('a1')).toEqual(expiring);
      expect(await store.apiKeys.get('a2')).toEqual(forever);
      expect((await store.apiKeys.get('a2'))?.expiresAt).toBeNull();
      expect(typeof (await store.apiKeys.get('a1'))?.expiresAt).toBe('number');
      expect(await store.apiKeys.findByHash('hash-a1')).toEqual(expiring);
      expect(await store.apiKeys.findByHash('hash-a2')).toEqual(forever);
      expect(await store.apiKeys.findByHash('hash-a')).toBeUndefined();
      expect(await store.apiKeys.findByHash('HASH-A1')).toBeUndefined();
      expect(await store.apiKeys.get('nope')).toBeUndefined();
    });

    it('touch() records the last use and nothing else', async () => {
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1'));
      await store.apiKeys.touch('a1', TIME_BASE + 500);
      expect(await store.apiKeys.get('a1')).toEqual(apiKeyRow('a1', 'sa1', { lastUsedAt: TIME_BASE + 500 }));
      await store.apiKeys.touch('nope', TIME_BASE + 600);
    });

    it('listForAccount() lists one account’s keys ordered by id', async () => {
      await store.apiKeys.insert(apiKeyRow('a3', 'sa1'));
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1'));
      await store.apiKeys.insert(apiKeyRow('a2', 'sa2'));
      expect((await store.apiKeys.listForAccount('sa1')).map((k) => k.id)).toEqual(['a1', 'a3']);
      expect(await store.apiKeys.listForAccount('sa3')).toEqual([]);
    });

    it('insert() with a key_hash already in use throws UniqueViolationError, across accounts too', async () => {
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1', { keyHash: 'h' }));
      await expect(store.apiKeys.insert(apiKeyRow('a2', 'sa2', { keyHash: 'h' }))).rejects.toBeInstanceOf(
        UniqueViolationError,
      );
      expect(await store.apiKeys.get('a2')).toBeUndefined();
      expect((await store.apiKeys.findByHash('h'))?.id).toBe('a1');
    });

    it('update() to a key_hash already in use throws UniqueViolationError and changes nothing', async () => {
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1'));
      await store.apiKeys.insert(apiKeyRow('a2', 'sa1'));
      await expect(
        store.apiKeys.update('a2', { keyHash: 'hash-a1', prefix: 'zzzzz', updatedAt: TIME_BASE + 99 }),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.apiKeys.get('a2')).toEqual(apiKeyRow('a2', 'sa1'));
      expect((await store.apiKeys.findByHash('hash-a1'))?.id).toBe('a1');
    });

    it('update() patches only the given fields, can set and clear expiresAt, returns false for unknown ids', async () => {
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1'));
      expect(await store.apiKeys.update('a1', { status: 'DISABLED', updatedAt: TIME_BASE + 20 })).toBe(true);
      expect(await store.apiKeys.get('a1')).toEqual(
        apiKeyRow('a1', 'sa1', { status: 'DISABLED', updatedAt: TIME_BASE + 20 }),
      );

      expect(await store.apiKeys.update('a1', { expiresAt: null, updatedAt: TIME_BASE + 21 })).toBe(true);
      expect((await store.apiKeys.get('a1'))?.expiresAt).toBeNull();
      expect(await store.apiKeys.update('a1', { expiresAt: TIME_BASE + 5_000, updatedAt: TIME_BASE + 22 })).toBe(true);
      expect((await store.apiKeys.get('a1'))?.expiresAt).toBe(TIME_BASE + 5_000);

      // Rotation: a new hash and prefix; the old hash no longer finds the key.
      expect(
        await store.apiKeys.update('a1', {
          keyHash: 'rotated',
          prefix: 'ROT01',
          name: 'n2',
          updatedAt: TIME_BASE + 23,
        }),
      ).toBe(true);
      expect(await store.apiKeys.findByHash('hash-a1')).toBeUndefined();
      expect(await store.apiKeys.findByHash('rotated')).toEqual(
        apiKeyRow('a1', 'sa1', {
          keyHash: 'rotated',
          prefix: 'ROT01',
          name: 'n2',
          status: 'DISABLED',
          expiresAt: TIME_BASE + 5_000,
          updatedAt: TIME_BASE + 23,
        }),
      );
      expect(await store.apiKeys.update('nope', { name: 'x', updatedAt: 1 })).toBe(false);
    });

    it('delete() and deleteForAccount() remove only what they name', async () => {
      await store.apiKeys.insert(apiKeyRow('a1', 'sa1'));
      await store.apiKeys.insert(apiKeyRow('a2', 'sa1'));
      await store.apiKeys.insert(apiKeyRow('a3', 'sa2'));
      expect(await store.apiKeys.delete('a1')).toBe(true);
      expect(await store.apiKeys.delete('a1')).toBe(false);
      await store.apiKeys.deleteForAccount('sa1');
      expect(await store.apiKeys.listForAccount('sa1')).toEqual([]);
      expect((await store.apiKeys.listForAccount('sa2')).map((k) => k.id)).toEqual(['a3']);
      // A deleted key's hash can be used again.
      await store.apiKeys.insert(apiKeyRow('a4', 'sa2', { keyHash: 'hash-a1' }));
      expect((await store.apiKeys.findByHash('hash-a1'))?.id).toBe('a4');
    });
  });

  describe('roles', () => {
    beforeEach(async () => {
      await store.roles.insert(roleRow('r1', { resourceType: 'VAULT', resourceId: 'v1', name: 'VAULT_OWNER' }));
      await store.roles.insert(
        roleRow('r2', { resourceType: 'VAULT', resourceId: 'v1', name: 'READER', type: 'SYSTEM', permissions: [] }),
      );
      await store.roles.insert(roleRow('r3', { resourceType: 'VAULT', resourceId: 'v2', name: 'READER' }));
      await store.roles.insert(
        roleRow('r4', { resourceType: 'ACCOUNT', resourceId: 'acc', name: 'ACCOUNT_ADMIN', type: 'SYSTEM' }),
      );
    });

    it('insert() then get() round-trips the row exactly, permissions included', async () => {
      expect(await store.roles.get('r1')).toEqual(
        roleRow('r1', { resourceType: 'VAULT', resourceId: 'v1', name: 'VAULT_OWNER' }),
      );
      expect((await store.roles.get('r2'))?.permissions).toEqual([]);
      expect(await store.roles.get('nope')).toBeUndefined();
      await expect(store.roles.insert(roleRow('r1'))).rejects.toBeInstanceOf(UniqueViolationError);
    });

    it('list() filters by resource, name and type, ordered by id', async () => {
      const ids = async (filter: Parameters<Store['roles']['list']>[0]) =>
        (await store.roles.list(filter)).map((r) => r.id);
      expect(await ids({})).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect(await ids({ resourceType: 'VAULT' })).toEqual(['r1', 'r2', 'r3']);
      expect(await ids({ resourceType: 'VAULT', resourceId: 'v1' })).toEqual(['r1', 'r2']);
      expect(await ids({ resourceId: 'acc' })).toEqual(['r4']);
      expect(await ids({ name: 'READER' })).toEqual(['r2', 'r3']);
      expect(await ids({ name: 'READER', resourceId: 'v2' })).toEqual(['r3']);
      expect(await ids({ type: 'SYSTEM' })).toEqual(['r2', 'r4']);
      expect(await ids({ type: 'SYSTEM', resourceType: 'ACCOUNT' })).toEqual(['r4']);
      expect(await ids({ resourceType: 'ACCOUNT', resourceId: 'v1' })).toEqual([]);
    });

    it('addMember() is idempotent and keeps the first membership', async () => {
      await store.roles.addMember({ roleId: 'r1', memberId: 'm1', memberType: 'SERVICE_ACCOUNT', createdAt: 1 });
      await store.roles.addMember({ roleId: 'r1', memberId: 'm1', memberType: 'USER', createdAt: 2 });
      await store.roles.addMember({ roleId: 'r1', memberId: 'm0', memberType: 'USER', createdAt: TIME_BASE });
      expect(await store.roles.members('r1')).toEqual([
        { roleId: 'r1', memberId: 'm0', memberType: 'USER', createdAt: TIME_BASE },
        { roleId: 'r1', memberId: 'm1', memberType: 'SERVICE_ACCOUNT', createdAt: 1 },
      ]);
      expect(await store.roles.members('r2')).toEqual([]);
    });

    it('removeMember() removes one membership and reports whether it existed', async () => {
      await store.roles.addMember({ roleId: 'r1', memberId: 'm1', memberType: 'USER', createdAt: 1 });
      await store.roles.addMember({ roleId: 'r2', memberId: 'm1', memberType: 'USER', createdAt: 1 });
      expect(await store.roles.removeMember('r1', 'm1')).toBe(true);
      expect(await store.roles.removeMember('r1', 'm1')).toBe(false);
      expect(await store.roles.members('r1')).toEqual([]);
      expect((await store.roles.members('r2')).map((m) => m.memberId)).toEqual(['m1']);
    });

    it('rolesOfMember() returns the member’s roles ordered by id', async () => {
      for (const roleId of ['r4', 'r3', 'r1']) {
        await store.roles.addMember({ roleId, memberId: 'm1', memberType: 'SERVICE_ACCOUNT', createdAt: 1 });
      }
      await store.roles.addMember({ roleId: 'r2', memberId: 'm2', memberType: 'SERVICE_ACCOUNT', createdAt: 1 });
      const roles = await store.roles.rolesOfMember('m1');
      expect(roles.map((r) => r.id)).toEqual(['r1', 'r3', 'r4']);
      expect(roles[0]).toEqual(await store.roles.get('r1'));
      expect(await store.roles.rolesOfMember('nobody')).toEqual([]);
    });

    it('removeMemberEverywhere() drops every membership of that member only', async () => {
      for (const roleId of ['r1', 'r2', 'r4']) {
        await store.roles.addMember({ roleId, memberId: 'm1', memberType: 'USER', createdAt: 1 });
      }
      await store.roles.addMember({ roleId: 'r1', memberId: 'm2', memberType: 'USER', createdAt: 1 });
      await store.roles.removeMemberEverywhere('m1');
      expect(await store.roles.rolesOfMember('m1')).toEqual([]);
      expect((await store.roles.rolesOfMember('m2')).map((r) => r.id)).toEqual(['r1']);
      expect(await store.roles.get('r1')).toBeDefined();
    });

    it('deleteForResource() removes the resource’s roles and their memberships, nothing else', async () => {
      await store.roles.addMember({ roleId: 'r1', memberId: 'm1', memberType: 'USER', createdAt: 1 });
      await store.roles.addMember({ roleId: 'r2', memberId: 'm1', memberType: 'USER', createdAt: 1 });
      await store.roles.addMember({ roleId: 'r3', memberId: 'm1', memberType: 'USER', createdAt: 1 });
      await store.roles.addMember({ roleId: 'r4', memberId: 'm2', memberType: 'USER', createdAt: 1 });
      await store.roles.deleteForResource('VAULT', 'v1');
      expect((await store.roles.list({})).map((r) => r.id)).toEqual(['r3', 'r4']);
      expect(await store.roles.members('r1')).toEqual([]);
      expect(await store.roles.members('r2')).toEqual([]);
      expect((await store.roles.rolesOfMember('m1')).map((r) => r.id)).toEqual(['r3']);
      expect((await store.roles.rolesOfMember('m2')).map((r) => r.id)).toEqual(['r4']);
      // A role id of a deleted resource can be reused, with no stale members.
      await store.roles.insert(roleRow('r1'));
      expect(await store.roles.members('r1')).toEqual([]);
      // The resource type is part of the match.
      await store.roles.deleteForResource('ACCOUNT', 'v2');
      expect(await store.roles.get('r3')).toBeDefined();
    });
  });

  describe('signing keys', () => {
    it('insert() then list() round-trips sealed bytes and the public JWK, ordered by creation', async () => {
      const later = signingKeyRow('kid-a', { createdAt: TIME_BASE + 2, status: 'RETIRED' });
      const earlier = signingKeyRow('kid-b', {
        createdAt: TIME_BASE + 1,
        privateSealed: Buffer.from(Array.from({ length: 1200 }, (_, i) => (i * 31) % 256)),
        publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', nested: { a: [1, null, true] } },
      });
      const sameTime = signingKeyRow('kid-c', { createdAt: TIME_BASE + 2 });
      await store.signingKeys.insert(later);
      await store.signingKeys.insert(sameTime);
      await store.signingKeys.insert(earlier);
      const keys = await store.signingKeys.list();
      expect(keys).toEqual([earlier, later, sameTime]);
      for (const key of keys) expect(Buffer.isBuffer(key.privateSealed)).toBe(true);
      expect(keys[0]?.privateSealed.equals(earlier.privateSealed)).toBe(true);
    });

    it('insert() of an existing kid throws UniqueViolationError', async () => {
      await store.signingKeys.insert(signingKeyRow('kid-a'));
      await expect(store.signingKeys.insert(signingKeyRow('kid-a'))).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.signingKeys.list()).toHaveLength(1);
    });
  });

  describe('records', () => {
    const u = (s: string) => Buffer.from(`\u0000${s}\u00ff`, 'latin1');

    it('insert() stores every cell with its bytes intact', async () => {
      const cells = [
        cell('email', { lookupIndex: u('l-email'), uniqueIndex: u('u-email'), keyVersion: 3 }),
        cell('name', { value: Buffer.from(Array.from({ length: 300 }, (_, i) => 255 - (i % 256))) }),
        cell('empty', { value: Buffer.alloc(0) }),
      ];
      await store.records.insert('v1', 'persons', record('r1', cells));

      const raw = await rawConnection(target.kind, target.locationOf(store));
      try {
        const rows = await raw.all(
          'select column_name, value, key_version, lookup_index, unique_index from record_values where vault_id = ? and table_name = ? and record_id = ? order by column_name',
          ['v1', 'persons', 'r1'],
        );
        expect(rows.map((r) => r.column_name)).toEqual(['email', 'empty', 'name']);
        const byName = new Map(cells.map((c) => [c.column, c]));
        for (const row of rows) {
          const c = byName.get(row.column_name as string)!;
          expect(Buffer.from(row.value as Uint8Array).equals(c.value)).toBe(true);
          expect(Number(row.key_version)).toBe(c.keyVersion);
          expect(row.lookup_index === null ? null : Buffer.from(row.lookup_index as Uint8Array)).toEqual(c.lookupIndex);
          expect(row.unique_index === null ? null : Buffer.from(row.unique_index as Uint8Array)).toEqual(c.uniqueIndex);
        }
        const records = await raw.all('select id, created_at, updated_at from records where vault_id = ?', ['v1']);
        expect(records.map((r) => [r.id, Number(r.created_at), Number(r.updated_at)])).toEqual([
          ['r1', TIME_BASE + 100, TIME_BASE + 100],
        ]);
      } finally {
        await raw.close();
      }
    });

    it('findByUniqueIndex() finds the record by its exact bytes in its vault, table and column only', async () => {
      await store.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: u('a') })]));
      await store.records.insert('v1', 'persons', record('r2', [cell('email', { uniqueIndex: u('b') })]));
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('a'))).toBe('r1');
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('b'))).toBe('r2');
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('c'))).toBeUndefined();
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('a').subarray(0, 2))).toBeUndefined();
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'phone', u('a'))).toBeUndefined();
      expect(await store.records.findByUniqueIndex('v1', 'other', 'email', u('a'))).toBeUndefined();
      expect(await store.records.findByUniqueIndex('v2', 'persons', 'email', u('a'))).toBeUndefined();
    });

    it('a second record with the same unique index in the same vault, table and column throws UniqueViolationError', async () => {
      await store.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: u('a') })]));
      await expect(
        store.records.insert('v1', 'persons', record('r2', [cell('email', { uniqueIndex: u('a') })])),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('a'))).toBe('r1');
    });

    it('a failed insert() leaves nothing of that record behind', async () => {
      await store.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: u('a') })]));
      await expect(
        store.records.insert('v1', 'persons', record('r2', [cell('name'), cell('email', { uniqueIndex: u('a') })])),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      await expect(
        store.records.insert('v1', 'accounts', record('r3', [cell('iban', { uniqueIndex: u('x') }), cell('iban')])),
      ).rejects.toThrow();
      expect(await store.records.hasData('v1', 'accounts')).toBe(false);
      // r2 can be stored once its unique value is free of conflicts: no half-written r2 is in the way.
      await store.records.insert('v1', 'persons', record('r2', [cell('name'), cell('email', { uniqueIndex: u('b') })]));
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('b'))).toBe('r2');
    });

    it('the same unique index in another column, table or vault does not collide', async () => {
      await store.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: u('a') })]));
      await store.records.insert('v1', 'persons', record('r2', [cell('phone', { uniqueIndex: u('a') })]));
      await store.records.insert('v1', 'accounts', record('r3', [cell('email', { uniqueIndex: u('a') })]));
      await store.records.insert('v2', 'persons', record('r4', [cell('email', { uniqueIndex: u('a') })]));
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'phone', u('a'))).toBe('r2');
      expect(await store.records.findByUniqueIndex('v1', 'accounts', 'email', u('a'))).toBe('r3');
      expect(await store.records.findByUniqueIndex('v2', 'persons', 'email', u('a'))).toBe('r4');
    });

    it('a null unique index never collides', async () => {
      for (const id of ['r1', 'r2', 'r3']) {
        await store.records.insert('v1', 'persons', record(id, [cell('email', { uniqueIndex: null })]));
      }
      const raw = await rawConnection(target.kind, target.locationOf(store));
      try {
        const rows = await raw.all('select count(*) as n from record_values where vault_id = ?', ['v1']);
        expect(Number(rows[0]?.n)).toBe(3);
      } finally {
        await raw.close();
      }
    });

    it('the same record id in the same vault and table throws UniqueViolationError', async () => {
      await store.records.insert('v1', 'persons', record('r1', [cell('email')]));
      await expect(store.records.insert('v1', 'persons', record('r1', [cell('name')]))).rejects.toBeInstanceOf(
        UniqueViolationError,
      );
      await store.records.insert('v1', 'accounts', record('r1', [cell('name')]));
    });

    it('hasData() answers per vault and table, and per column', async () => {
      expect(await store.records.hasData('v1', 'persons')).toBe(false);
      await store.records.insert('v1', 'persons', record('r1', [cell('email'), cell('name')]));
      expect(await store.records.hasData('v1', 'persons')).toBe(true);
      expect(await store.records.hasData('v1', 'persons', 'email')).toBe(true);
      expect(await store.records.hasData('v1', 'persons', 'phone')).toBe(false);
      expect(await store.records.hasData('v1', 'accounts')).toBe(false);
      expect(await store.records.hasData('v2', 'persons')).toBe(false);
      expect(await store.records.hasData('v2', 'persons', 'email')).toBe(false);
    });

    it('hasData() counts a record without cells for the table but for no column', async () => {
      await store.records.insert('v1', 'persons', record('r1', []));
      expect(await store.records.hasData('v1', 'persons')).toBe(true);
      expect(await store.records.hasData('v1', 'persons', 'email')).toBe(false);
    });

    it('deleteForVault() removes the vault’s records and cells only', async () => {
      await store.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: u('a') })]));
      await store.records.insert('v1', 'accounts', record('r2', []));
      await store.records.insert('v2', 'persons', record('r3', [cell('email', { uniqueIndex: u('a') })]));
      await store.records.deleteForVault('v1');
      expect(await store.records.hasData('v1', 'persons')).toBe(false);
      expect(await store.records.hasData('v1', 'accounts')).toBe(false);
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('a'))).toBeUndefined();
      expect(await store.records.findByUniqueIndex('v2', 'persons', 'email', u('a'))).toBe('r3');
      // The deleted unique value and record id are free again.
      await store.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: u('a') })]));
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', u('a'))).toBe('r1');
    });
  });

  describe('transactions', () => {
    it('everything written inside transaction() is visible after it resolves, and its value is returned', async () => {
      const result = await store.transaction(async (tx) => {
        await writeVaultGraph(tx, 'v1');
        // The transaction reads its own writes.
        expectFullGraph(await readVaultGraph(tx, 'v1'), 'v1');
        return 'done';
      });
      expect(result).toBe('done');
      expectFullGraph(await readVaultGraph(store, 'v1'), 'v1');
    });

    it('if the callback throws, nothing it wrote is visible and the same error is rethrown', async () => {
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          await writeVaultGraph(tx, 'v1');
          await tx.vaults.update('v1', { status: 'X', updatedAt: 1, updatedBy: 'u' });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expectNoGraph(await readVaultGraph(store, 'v1'));
      expect(await store.vaults.count()).toBe(0);
    });

    it('a rollback restores rows that the transaction updated or deleted', async () => {
      await writeVaultGraph(store, 'v1');
      await expect(
        store.transaction(async (tx) => {
          await tx.vaults.update('v1', { name: 'changed', updatedAt: 1, updatedBy: 'u' });
          await tx.vaultKeys.deleteForVault('v1');
          await tx.roles.deleteForResource('VAULT', 'v1');
          await tx.records.deleteForVault('v1');
          await tx.serviceAccounts.delete('sa-v1');
          await tx.meta.set('meta-v1', 'changed');
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expectFullGraph(await readVaultGraph(store, 'v1'), 'v1');
    });

    it('the promise resolves only after commit: another store instance sees the writes at once, and not before', async () => {
      const other = target.reopen(store);
      await other.ping();
      await store.transaction(async (tx) => {
        await writeVaultGraph(tx, 'v1');
        // Uncommitted writes are invisible to another connection.
        expectNoGraph(await readVaultGraph(other, 'v1'));
      });
      expectFullGraph(await readVaultGraph(other, 'v1'), 'v1');
    });

    it('nested use of the transaction’s repositories (inTransaction) joins the outer transaction', async () => {
      const createVault = (tx: Repositories | undefined, id: string) =>
        inTransaction(store, tx, async (inner) => {
          await inner.vaults.insert(vaultRow(id));
          await inTransaction(store, inner, (innermost) => innermost.vaultKeys.insert(vaultKeyRow(id)));
        });

      await expect(
        store.transaction(async (tx) => {
          await createVault(tx, 'v1');
          expect(await tx.vaults.get('v1')).toBeDefined();
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await store.vaults.get('v1')).toBeUndefined();
      expect(await store.vaultKeys.listForVault('v1')).toEqual([]);

      await store.transaction((tx) => createVault(tx, 'v2'));
      await createVault(undefined, 'v3');
      expect((await store.vaults.list({}, { offset: 0, limit: 10 })).map((v) => v.id)).toEqual(['v2', 'v3']);
      expect(await store.vaultKeys.listForVault('v3')).toHaveLength(1);
    });

    it('a unique violation inside a transaction rolls back the earlier writes of that transaction', async () => {
      await store.serviceAccounts.insert(serviceAccountRow('sa0'));
      await store.apiKeys.insert(apiKeyRow('a0', 'sa0', { keyHash: 'taken' }));
      await expect(
        store.transaction(async (tx) => {
          await tx.vaults.insert(vaultRow('v1'));
          await tx.vaultKeys.insert(vaultKeyRow('v1'));
          await tx.roles.insert(roleRow('r1', { resourceId: 'v1' }));
          await tx.serviceAccounts.insert(serviceAccountRow('sa1'));
          await tx.apiKeys.insert(apiKeyRow('a1', 'sa1', { keyHash: 'taken' }));
        }),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.vaults.get('v1')).toBeUndefined();
      expect(await store.vaultKeys.listForVault('v1')).toEqual([]);
      expect(await store.roles.get('r1')).toBeUndefined();
      expect(await store.serviceAccounts.get('sa1')).toBeUndefined();
      expect((await store.apiKeys.findByHash('taken'))?.id).toBe('a0');
    });

    it('a record unique violation inside a transaction rolls back the records written before it', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.vaults.insert(vaultRow('v1'));
          await tx.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: Buffer.from('a') })]));
          await tx.records.insert('v1', 'persons', record('r2', [cell('email', { uniqueIndex: Buffer.from('a') })]));
        }),
      ).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.records.hasData('v1', 'persons')).toBe(false);
      expect(await store.vaults.get('v1')).toBeUndefined();
    });

    it('a caught UniqueViolationError leaves the transaction usable and the failed record absent', async () => {
      await store.transaction(async (tx) => {
        await tx.records.insert('v1', 'persons', record('r1', [cell('email', { uniqueIndex: Buffer.from('a') })]));
        await expect(
          tx.records.insert(
            'v1',
            'persons',
            record('r2', [cell('name'), cell('email', { uniqueIndex: Buffer.from('a') })]),
          ),
        ).rejects.toBeInstanceOf(UniqueViolationError);
        await tx.records.insert('v1', 'persons', record('r3', [cell('email', { uniqueIndex: Buffer.from('c') })]));
      });
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', Buffer.from('a'))).toBe('r1');
      expect(await store.records.findByUniqueIndex('v1', 'persons', 'email', Buffer.from('c'))).toBe('r3');
      // Nothing of r2 was committed: its id is still free.
      await store.records.insert('v1', 'persons', record('r2', [cell('email', { uniqueIndex: Buffer.from('b') })]));
    });

    it('concurrent transactions on one store commit or roll back independently', async () => {
      const results = await Promise.allSettled([
        store.transaction((tx) => writeVaultGraph(tx, 'v1')),
        store.transaction(async (tx) => {
          await writeVaultGraph(tx, 'v2');
          throw new Error('second fails');
        }),
        store.transaction((tx) => writeVaultGraph(tx, 'v3')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expectFullGraph(await readVaultGraph(store, 'v1'), 'v1');
      expectNoGraph(await readVaultGraph(store, 'v2'));
      expectFullGraph(await readVaultGraph(store, 'v3'), 'v3');
    });
  });

  describe('value types', () => {
    it('timestamps come back as numbers on every row type, and booleans as booleans', async () => {
      await store.transaction((tx) => writeVaultGraph(tx, 'v1'));
      await store.serviceAccountKeys.insert(publicKeyRow('k1', 'sa-v1'));
      await store.signingKeys.insert(signingKeyRow('kid'));
      await store.serviceAccounts.insert(serviceAccountRow('sa-off', { apiKeyEnabled: false }));

      const vault = (await store.vaults.get('v1'))!;
      const listed = (await store.vaults.list({}, { offset: 0, limit: 1 }))[0]!;
      const key = (await store.vaultKeys.listForVault('v1'))[0]!;
      const account = (await store.serviceAccounts.get('sa-v1'))!;
      const accountKey = (await store.serviceAccountKeys.get('k1'))!;
      const apiKey = (await store.apiKeys.findByHash('hash-key-v1'))!;
      const role = (await store.roles.get('role-v1'))!;
      const member = (await store.roles.members('role-v1'))[0]!;
      const signingKey = (await store.signingKeys.list())[0]!;
      const numbers = [
        vault.createdAt,
        vault.updatedAt,
        listed.createdAt,
        listed.updatedAt,
        key.createdAt,
        key.version,
        account.createdAt,
        account.updatedAt,
        accountKey.createdAt,
        apiKey.createdAt,
        apiKey.updatedAt,
        apiKey.expiresAt,
        role.createdAt,
        member.createdAt,
        signingKey.createdAt,
      ];
      for (const n of numbers) {
        expect(typeof n).toBe('number');
        expect(Number.isSafeInteger(n)).toBe(true);
      }
      expect(vault.createdAt).toBe(TIME_BASE + 1);
      expect(apiKey.expiresAt).toBe(TIME_BASE + 1_000_000);
      expect(account.apiKeyEnabled).toBe(true);
      expect((await store.serviceAccounts.get('sa-off'))!.apiKeyEnabled).toBe(false);
      const listedAccounts = await store.serviceAccounts.list({}, { offset: 0, limit: 10 });
      expect(listedAccounts.map((a) => typeof a.apiKeyEnabled)).toEqual(['boolean', 'boolean']);
    });

    it('timestamps up to the largest safe integer survive exactly', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      await store.vaults.insert(vaultRow('v1', { createdAt: 0, updatedAt: max }));
      const vault = await store.vaults.get('v1');
      expect(vault?.createdAt).toBe(0);
      expect(vault?.updatedAt).toBe(max);
    });
  });
}
