import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migrationNames } from '../../src/store/migrations.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/types.js';
import { dropSchema, freshSchemaUrl, POSTGRES_URL } from '../support/postgres.js';
import { postgresTarget, rawConnection, unavailable, vaultRow, within } from './harness.js';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(await unavailable('postgres'))('PostgreSQL store specifics', () => {
  const target = postgresTarget();
  const extraSchemas: string[] = [];
  const extraStores: Store[] = [];
  afterEach(async () => {
    await Promise.allSettled(extraStores.splice(0).map((s) => s.close()));
    for (const schema of extraSchemas.splice(0)) await dropSchema(schema);
    await target.reset();
  });
  afterAll(async () => {
    await target.dispose();
  });

  it('migrate() run by several store instances at once on a fresh schema succeeds and applies each migration once', async () => {
    const { store: first } = target.blank();
    const others = [target.reopen(first), target.reopen(first), target.reopen(first)];
    await Promise.all([first, ...others].map((s) => s.migrate()));
    const raw = await rawConnection('postgres', target.locationOf(first));
    try {
      const applied = await raw.all('select name from kysely_migration order by name');
      expect(applied.map((r) => r.name)).toEqual(migrationNames());
    } finally {
      await raw.close();
    }
    await first.vaults.insert(vaultRow('v1'));
    for (const other of others) expect(await other.vaults.get('v1')).toEqual(vaultRow('v1'));
  });

  it('migrate() creates the schema named in the URL and keeps every table, migration history included, in it', async () => {
    const store = await target.fresh();
    const schema = new URL(target.locationOf(store)).searchParams.get('schema');
    const tables = await admin(
      async (c) =>
        (await c.query('select table_name from information_schema.tables where table_schema = $1', [schema])).rows,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'api_keys',
        'kysely_migration',
        'meta',
        'record_values',
        'records',
        'role_members',
        'roles',
        'service_account_keys',
        'service_accounts',
        'signing_keys',
        'vault_keys',
        'vaults',
      ]),
    );
  });

  it('two stores in different schemas of one database migrate independently and do not see each other’s data', async () => {
    const a = await target.fresh();
    const b = await target.fresh(); // migrated after `a`: must not mistake a's migration history for its own
    await a.vaults.insert(vaultRow('v1', { name: 'in a' }));
    await a.meta.set('k', 'a');
    expect(await b.vaults.get('v1')).toBeUndefined();
    expect(await b.vaults.count()).toBe(0);
    expect(await b.meta.get('k')).toBeUndefined();
    await b.vaults.insert(vaultRow('v1', { name: 'in b' }));
    await b.meta.set('k', 'b');
    expect((await a.vaults.get('v1'))?.name).toBe('in a');
    expect((await b.vaults.get('v1'))?.name).toBe('in b');
    expect(await a.meta.get('k')).toBe('a');
    await b.transaction(async (tx) => {
      await tx.vaults.delete('v1');
    });
    expect(await a.vaults.count()).toBe(1);
  });

  it('without a schema parameter the store migrates into the connection’s current schema, whatever other schemas hold', async () => {
    // Another schema of the database already holds a migrated store (and Kysely's migration tables).
    await target.fresh();
    // The default-schema store, with its search_path set by the connection (not by `schema`).
    const schema = `t_${randomBytes(6).toString('hex')}`;
    extraSchemas.push(schema);
    await admin((c) => c.query(`create schema "${schema}"`));
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = openPostgresStore(url.toString());
    extraStores.push(store);
    await store.migrate();
    await store.migrate();
    await store.vaults.insert(vaultRow('v1'));
    const applied = await admin(
      async (c) => (await c.query(`select count(*)::int as n from "${schema}".kysely_migration`)).rows[0].n,
    );
    expect(applied).toBe(migrationNames().length);
    expect(await store.vaults.get('v1')).toEqual(vaultRow('v1'));
  });

  it.each([
    ['upper case', 'Strongroom'],
    ['a leading digit', '1abc'],
    ['a hyphen', 'a-b'],
    ['SQL', 'x";drop schema public cascade;--'],
    ['a space', 'a b'],
    ['the empty string', ''],
    ['more than 63 characters', `s${'x'.repeat(63)}`],
    ['the reserved pg_ prefix', 'pg_catalog'],
  ])('an invalid schema name (%s) in the URL is rejected when the store is opened', (_, schema) => {
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('schema', schema);
    expect(() => openPostgresStore(url.toString())).toThrow(/schema/);
  });

  it('a pooled connection ended by the server does not crash the process, and the store reconnects', async () => {
    const { url, schema } = freshSchemaUrl();
    extraSchemas.push(schema);
    const marked = new URL(url);
    const applicationName = `sr_test_${randomBytes(4).toString('hex')}`;
    marked.searchParams.set('application_name', applicationName);
    const store = openPostgresStore(marked.toString());
    extraStores.push(store);
    await store.migrate();
    await store.meta.set('k', 'v');
    // The pool now holds an idle connection; the server ends it (as on restart or failover).
    const killed = await admin(
      async (c) =>
        (
          await c.query(
            'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
            [applicationName],
          )
        ).rows,
    );
    expect(killed.length).toBeGreaterThan(0);
    // Let the pool notice the closed connection (an 'error' event that must not go unhandled).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await within(5_000, store.meta.get('k'))).toBe('v');
    await within(5_000, store.ping());
  });

  it('bigint counts and timestamps are read as numbers, not strings', async () => {
    const store = await target.fresh();
    await store.vaults.insert(vaultRow('v1', { createdAt: 2 ** 40, updatedAt: 2 ** 52 + 1 }));
    const count = await store.vaults.count();
    const vault = await store.vaults.get('v1');
    expect(count).toBe(1);
    expect(vault?.createdAt).toBe(2 ** 40);
    expect(vault?.updatedAt).toBe(2 ** 52 + 1);
  });
});
