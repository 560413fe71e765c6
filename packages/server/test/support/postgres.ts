import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the store tests run against (trust auth, database `test`). */
export const POSTGRES_URL = process.env.STRONGROOM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | undefined;

/**
 * True when the test PostgreSQL answers. When it does not, PostgreSQL suites are skipped with a visible
 * notice, except in CI (`CI` or `STRONGROOM_REQUIRE_POSTGRES` set), where that is a failure.
 */
export function postgresAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      if (process.env.CI || process.env.STRONGROOM_REQUIRE_POSTGRES) {
        throw new Error(`PostgreSQL at ${POSTGRES_URL} is required in CI but not reachable: ${(err as Error).message}`);
      }
      process.stderr.write(
        `\n*** NOTICE: PostgreSQL at ${POSTGRES_URL} is not reachable; PostgreSQL store tests are SKIPPED.\n*** Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** A database URL pointing at a fresh, uniquely named schema; drop it with {@link dropSchema}. */
export function freshSchemaUrl(): { url: string; schema: string } {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), schema };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
