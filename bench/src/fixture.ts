/**
 * The data the Data API benchmark works on: a `persons` table of five tokenized string columns, records
 * with realistic value sizes, and a seeder that stores records through the server's own code.
 *
 * Seeding runs in the bench process on the server's store (the same database the server process serves,
 * opened with the same root key): `RecordOps.insert` inside `Store.transaction`, one transaction per batch
 * of records — the code path of `POST /v1/vaults/{id}/{table}` minus HTTP, authentication and the 25
 * record limit per request. So every token detokenized later is a real token of a real record, made and
 * stored by the real code, and seeding a million records takes minutes rather than the better part of
 * an hour over HTTP.
 */
import pg from 'pg';
import { Keyring } from '../../packages/server/dist/crypto/keyring.js';
import { openStore } from '../../packages/server/dist/store/open-store.js';
import type { Store } from '../../packages/server/dist/store/types.js';
import { RecordOps } from '../../packages/server/dist/vault/records/record-ops.js';
import { modelOfStoredSchema } from '../../packages/server/dist/vault/schema/parse.js';

export const TABLE = 'persons';
export const COLUMNS = ['name', 'email', 'ssn', 'card_number', 'phone'] as const;
export type Person = Record<(typeof COLUMNS)[number], string>;

const tag = (name: string, ...values: string[]) => ({ name: `skyflow.${name}`, values });
const column = (name: string) => ({
  name,
  datatype: 'DT_STRING',
  isArray: false,
  tags: [tag('options.default_token_policy', 'NON_DETERMINISTIC_UUID'), tag('options.default_dlp_policy', 'MASK')],
});

/**
 * Every column tokenized with random UUID tokens (Skyflow's default policy): the same insert body can be
 * sent again and again, and every value stored costs a cell and a token row.
 */
export const VAULT_SCHEMA = { schemas: [{ name: TABLE, fields: COLUMNS.map(column) }] };

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Backus'];

/** A small deterministic PRNG (mulberry32), so record `i` always has the same values. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digits = (next: () => number, n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');

/** Record `i`: a name (~14 characters), an email (~30), an SSN (11), a card number (16), a phone (15). */
export function person(i: number): Person {
  const next = random(i * 2654435761);
  const first = FIRST[Math.floor(next() * FIRST.length)] as string;
  const last = LAST[Math.floor(next() * LAST.length)] as string;
  return {
    name: `${first} ${last}`,
    email: `${first}.${last}${i}@example.com`.toLowerCase(),
    ssn: `${digits(next, 3)}-${digits(next, 2)}-${digits(next, 4)}`,
    card_number: `4${digits(next, 15)}`,
    phone: `+1 555 ${digits(next, 3)} ${digits(next, 4)}`,
  };
}

/** A token drawn for the load, with its lookup hash (for the in-process baselines, which skip the HMAC). */
export interface PoolToken {
  readonly token: string;
  readonly hash: Buffer;
}

export interface SeedOptions {
  readonly label: string;
  readonly databaseUrl: string;
  readonly rootKey: Buffer;
  readonly vaultId: string;
  readonly records: number;
  /** Records per transaction. */
  readonly batch: number;
  /** Transactions in flight (PostgreSQL; SQLite has one writer). */
  readonly concurrency: number;
  /** How many of the tokens made to keep, drawn uniformly (reservoir sampling). */
  readonly sample: number;
}

export interface Seeded {
  readonly pool: PoolToken[];
  readonly seconds: number;
  /** The vault's unwrapped data keys by version, for the in-process detokenize baseline. */
  readonly dataKeys: Map<number, Buffer>;
}

/** Opens the server's store in this process, as the server does (SQLite without fsync per commit). */
export function openServerStore(databaseUrl: string): Store {
  // Seeding is set-up, not measurement: SQLite may skip the fsync of every commit (WAL, NORMAL).
  return openStore(databaseUrl, { synchronous: 'NORMAL' });
}

export async function seed(options: SeedOptions): Promise<Seeded> {
  const store = openServerStore(options.databaseUrl);
  try {
    const keyring = new Keyring(options.rootKey);
    await keyring.checkRootKey(store);
    const vault = await store.vaults.get(options.vaultId);
    if (!vault) throw new Error(`vault ${options.vaultId} not found`);
    const model = modelOfStoredSchema(vault.schema);
    const table = model.tablesByName.get(TABLE);
    if (!table) throw new Error(`table ${TABLE} not found`);
    const keys = await keyring.vault(options.vaultId, store);
    const ctx = { vaultId: options.vaultId, keys, model, table };
    const ops = new RecordOps();
    const pool: PoolToken[] = [];
    const draw = random(0x5eed);
    let made = 0;
    const keep = (token: string) => {
      made++;
      if (pool.length < options.sample) pool.push({ token, hash: keys.tokenHash(token) });
      else {
        const j = Math.floor(draw() * made);
        if (j < options.sample) pool[j] = { token, hash: keys.tokenHash(token) };
      }
    };
    const analyze = options.databaseUrl.startsWith('sqlite:') ? undefined : () => analyzeTables(options.databaseUrl);
    const started = performance.now();
    let next = 0;
    let reported = 0;
    const worker = async () => {
      while (next < options.records) {
        const from = next;
        const count = Math.min(options.batch, options.records - from);
        next += count;
        const inputs = Array.from({ length: count }, (_, k) => ({ fields: person(from + k) }));
        const results = await store.transaction((tx) =>
          ops.insert(tx, ctx, inputs, { tokenization: true, byot: 'DISABLE' }),
        );
        for (const result of results) for (const token of Object.values(result.tokens ?? {})) keep(token);
        const done = Math.floor((from + count) / (options.records / 10));
        if (done > reported && options.records >= 100_000) {
          reported = done;
          // PostgreSQL here runs without autovacuum: give the planner statistics as the tables grow, as
          // autovacuum would, or it soon reads a vault's tokens whole to check 100 new ones for collisions.
          if (analyze) await analyze();
          const seconds = (performance.now() - started) / 1000;
          process.stdout.write(
            `  ${options.label}: ${(from + count).toLocaleString('en')} records seeded (${seconds.toFixed(0)} s)\n`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    if (made !== options.records * COLUMNS.length) throw new Error(`seeded ${made} tokens, expected more`);
    const dataKeys = new Map<number, Buffer>();
    for (const row of await store.vaultKeys.listForVault(options.vaultId)) {
      if (row.kind !== 'data' || row.status === 'retired') continue;
      dataKeys.set(
        row.version,
        keyring.unwrap(['vault-key', options.vaultId, 'data', String(row.version)], row.wrapped),
      );
    }
    return { pool, seconds, dataKeys };
  } finally {
    await store.close();
  }
}

/** `ANALYZE` of the tables seeding writes, in the schema of a `postgres://…?schema=…` URL. */
async function analyzeTables(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({
    connectionString: url.toString(),
    ...(schema && { options: `-c search_path=${schema}` }),
  });
  await client.connect();
  try {
    for (const table of ['records', 'record_values', 'tokens']) await client.query(`analyze ${table}`);
  } finally {
    await client.end();
  }
}

/** Creates the benchmark vault through the management API; returns its ID. */
export async function createVault(url: string, bearer: string, name: string): Promise<string> {
  const response = await fetch(`${url}/v1/vaults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ name, vaultSchema: VAULT_SCHEMA }),
  });
  if (!response.ok) throw new Error(`vault creation failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ID: string }).ID;
}
