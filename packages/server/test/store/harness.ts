import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore, type SqliteOptions } from '../../src/store/sqlite.js';
import type {
  ApiKeyRow,
  RoleRow,
  ServiceAccountKeyRow,
  ServiceAccountRow,
  SigningKeyRow,
  Store,
  StoreKind,
  VaultKeyRow,
  VaultRow,
} from '../../src/store/types.js';
import { dropSchema, freshSchemaUrl, postgresAvailable } from '../support/postgres.js';

/** The store kinds every shared test runs against. */
export const STORE_KINDS = ['sqlite', 'postgres'] as const satisfies readonly StoreKind[];

/** True when the suite for `kind` has to be skipped (PostgreSQL not reachable outside CI). */
export async function unavailable(kind: StoreKind): Promise<boolean> {
  return kind === 'postgres' && !(await postgresAvailable());
}

/** Opens real stores of one kind on throw-away databases, and removes them all in {@link dispose}. */
export interface StoreTarget {
  readonly kind: StoreKind;
  /** A store on a brand-new database, already migrated. */
  fresh(): Promise<Store>;
  /** A store on a brand-new database, not migrated; `location` opens more stores on it. */
  blank(): { store: Store; location: string };
  /** Another store instance (own connection/pool, not migrated) on the same database as `store`. */
  reopen(store: Store): Store;
  /** The database a store of this target lives in: a SQLite file or a PostgreSQL URL with a schema. */
  locationOf(store: Store): string;
  /** Closes every store still open and removes every database created so far; the target stays usable. */
  reset(): Promise<void>;
  /** Like {@link reset}, and also removes the target's own temporary directory. */
  dispose(): Promise<void>;
}

export function sqliteTarget(options: SqliteOptions = {}): StoreTarget {
  const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-store-'));
  let n = 0;
  const dirs: string[] = [];
  return trackingTarget('sqlite', {
    newLocation: () => {
      const dbDir = path.join(dir, `db-${++n}`);
      dirs.push(dbDir);
      return path.join(dbDir, 'store.sqlite');
    },
    open: (file) => openSqliteStore(file, options),
    removeDatabases: async () => {
      for (const dbDir of dirs.splice(0)) rmSync(dbDir, { recursive: true, force: true });
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  });
}

export function postgresTarget(): StoreTarget {
  const schemas: string[] = [];
  return trackingTarget('postgres', {
    newLocation: () => {
      const { url, schema } = freshSchemaUrl();
      schemas.push(schema);
      return url;
    },
    open: (url) => openPostgresStore(url),
    removeDatabases: async () => {
      for (const schema of schemas.splice(0)) await dropSchema(schema);
    },
  });
}

export function targetFor(kind: StoreKind): StoreTarget {
  return kind === 'sqlite' ? sqliteTarget() : postgresTarget();
}

function trackingTarget(
  kind: StoreKind,
  parts: {
    newLocation(): string;
    open(location: string): Store;
    removeDatabases(): Promise<void>;
    cleanup?(): Promise<void>;
  },
): StoreTarget {
  const locations = new Map<Store, string>();
  const open = new Set<Store>();
  const track = (location: string): Store => {
    const store = parts.open(location);
    locations.set(store, location);
    open.add(store);
    // A test may close a store itself; dispose() must not close it a second time.
    const close = store.close.bind(store);
    (store as { close: () => Promise<void> }).close = async () => {
      open.delete(store);
      await close();
    };
    return store;
  };
  const target: StoreTarget = {
    kind,
    async fresh() {
      const store = track(parts.newLocation());
      await store.migrate();
      return store;
    },
    blank() {
      const location = parts.newLocation();
      return { store: track(location), location };
    },
    reopen(store) {
      return track(target.locationOf(store));
    },
    locationOf(store) {
      const location = locations.get(store);
      if (location === undefined) throw new Error('store was not opened by this target');
      return location;
    },
    async reset() {
      await Promise.allSettled([...open].map((store) => store.close()));
      await parts.removeDatabases();
    },
    async dispose() {
      await target.reset();
      await parts.cleanup?.();
    },
  };
  return target;
}

// ---------------------------------------------------------------------------------------------------
// Row builders: complete rows with distinct values in every column, so a swapped or dropped column shows.

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z: well beyond 32 bits, as every real timestamp is.

export function vaultRow(id: string, overrides: Partial<VaultRow> = {}): VaultRow {
  return {
    id,
    name: `vault-${id}`,
    description: `description of ${id}`,
    workspaceId: 'ws_1',
    schema: {
      tables: [
        {
          name: 'persons',
          fields: [
            { name: 'skyflow_id', datatype: 'DT_STRING', properties: { unique: true } },
            { name: 'email', datatype: 'DT_STRING', tags: [{ name: 'skyflow.options.unique', values: ['true'] }] },
          ],
        },
      ],
      note: 'ünïcödé ✓ "quoted" \\ back\nslash',
      nested: { empty: [], nil: null, t: true, f: false, n: 1.5, big: 9_007_199_254_740_991 },
    },
    status: 'ACTIVE',
    createdAt: T0 + 1,
    updatedAt: T0 + 2,
    createdBy: 'creator',
    updatedBy: 'updater',
    ...overrides,
  };
}

export function vaultKeyRow(vaultId: string, overrides: Partial<VaultKeyRow> = {}): VaultKeyRow {
  return {
    vaultId,
    kind: 'data',
    version: 1,
    wrapped: Buffer.from([0, 1, 2, 0xfe, 0xff, 0, 0x80]),
    status: 'active',
    createdAt: T0 + 3,
    ...overrides,
  };
}

export function serviceAccountRow(id: string, overrides: Partial<ServiceAccountRow> = {}): ServiceAccountRow {
  return {
    id,
    name: `sa-${id}`,
    displayName: `Service account ${id}`,
    description: `description of ${id}`,
    clientConfiguration: { enforceContextID: true, enforceSignedDataTokens: false },
    apiKeyEnabled: true,
    status: 'ACTIVE',
    createdAt: T0 + 4,
    updatedAt: T0 + 5,
    createdBy: 'creator',
    updatedBy: 'updater',
    ...overrides,
  };
}

export function publicKeyRow(
  id: string,
  serviceAccountId: string,
  overrides: Partial<ServiceAccountKeyRow> = {},
): ServiceAccountKeyRow {
  return {
    id,
    serviceAccountId,
    publicKey: `-----BEGIN PUBLIC KEY-----\nMII${id}\n-----END PUBLIC KEY-----\n`,
    algorithm: 'KEY_ALG_RSA_2048',
    status: 'ACTIVE',
    createdAt: T0 + 10,
    ...overrides,
  };
}

export function apiKeyRow(id: string, serviceAccountId: string, overrides: Partial<ApiKeyRow> = {}): ApiKeyRow {
  return {
    id,
    serviceAccountId,
    name: `key ${id}`,
    keyHash: `hash-${id}`,
    prefix: id.slice(0, 5).padEnd(5, 'x'),
    status: 'ACTIVE',
    expiresAt: T0 + 1_000_000,
    createdAt: T0 + 6,
    updatedAt: T0 + 7,
    lastUsedAt: null,
    ...overrides,
  };
}

export function roleRow(id: string, overrides: Partial<RoleRow> = {}): RoleRow {
  return {
    id,
    name: `ROLE_${id}`,
    displayName: `Role ${id}`,
    description: `description of ${id}`,
    type: 'CUSTOM',
    resourceType: 'VAULT',
    resourceId: 'v1',
    permissions: ['records.read', 'tokens.detokenize'],
    createdAt: T0 + 8,
    ...overrides,
  };
}

export function signingKeyRow(kid: string, overrides: Partial<SigningKeyRow> = {}): SigningKeyRow {
  return {
    kid,
    algorithm: 'RS256',
    privateSealed: Buffer.from([0xff, 0, 0x10, 0x20, 0, 0, 0x7f]),
    publicJwk: { kty: 'RSA', n: 'AQAB-n', e: 'AQAB', kid, use: 'sig', key_ops: ['verify'] },
    status: 'ACTIVE',
    createdAt: T0 + 9,
    ...overrides,
  };
}

export const TIME_BASE = T0;

/** A side connection that reads a store's tables directly, bypassing the repositories. */
export interface RawConnection {
  all(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Opens a plain driver connection (better-sqlite3 or pg) on the database at `location`. Write SQL with `?`
 * placeholders; they become `$1, $2, …` for PostgreSQL.
 */
export async function rawConnection(
  kind: StoreKind,
  location: string,
  options: { writable?: boolean } = {},
): Promise<RawConnection> {
  if (kind === 'sqlite') {
    const db = new BetterSqlite3(location, { readonly: !options.writable, fileMustExist: true });
    return {
      all: async (sql, params = []) => {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
        statement.run(...params);
        return [];
      },
      close: async () => {
        db.close();
      },
    };
  }
  const url = new URL(location);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  return {
    all: async (sql, params = []) => {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows;
    },
    close: () => client.end(),
  };
}

/** Rejects if `work` has not settled within `ms`, so a hang fails the test with a message instead of a timeout. */
export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
