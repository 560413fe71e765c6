/**
 * Data API benchmark (issue: Data API). Against SQLite and then PostgreSQL, in one run on one machine:
 *
 * 1. Single-token detokenize requests/s ≥ 0.5 × a plain JSON echo route of the same framework (a bare
 *    Fastify process, `echo-server.ts`), both sent the same bodies and headers.
 * 2. 25-token batch detokenize tokens/s ≥ 0.6 × an in-process loop (primary-key lookup + AES-256-GCM
 *    decryption per token, straight on the database driver; `baselines.ts`).
 * 3. Insert of 25 records × 5 tokenized columns, records/s ≥ 0.5 × an in-process loop (the same rows and
 *    crypto written in one transaction; `baselines.ts`).
 * 4. Detokenize throughput with 1,000,000 stored records ≥ 0.8 × with 10,000: two servers, one on a store
 *    of 10,000 records and one on a store of 1,000,000, measured in alternating pairs.
 * 5. p50 and p99 latency at half of the peak throughput measured in 1–3 (open-loop, paced load).
 * 6. Detokenize with the audit log on ≥ 0.8 × with it off (issue 4): a second server on the same store
 *    with `STRONGROOM_AUDIT_LOG=false`, single-token and 25-token requests.
 *
 * Every comparison runs in pairs, back to back, alternating which side goes first (A-B, B-A, …); the
 * ratio is taken per pair and the median reported. See bench/README.md and docs/benchmarks.md.
 *
 * Usage: npm run bench:data-api. Environment: BENCH_SECONDS (per run, default 1), BENCH_PAIRS (default
 * 20), BENCH_CONNECTIONS (default 64), BENCH_RECORDS (small store, default 10000), BENCH_LARGE_RECORDS
 * (large store, default 1000000), BENCH_LATENCY_SECONDS (default 10), BENCH_STORES (default
 * "sqlite,postgres"), BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  type Baseline,
  type LoopResult,
  pgDetokenizeBaseline,
  pgInsertBaseline,
  sqliteDetokenizeBaseline,
  sqliteInsertBaseline,
} from './baselines.js';
import { accessToken } from './credentials.js';
import { COLUMNS, createVault, type PoolToken, person, seed, TABLE } from './fixture.js';
import { geometricMean, type LoadResult, load, median } from './load.js';
import { type PacedResult, paced } from './paced.js';
import { type ListeningProcess, type ServerProcess, startListening, startServerProcess } from './server-process.js';

type StoreKind = 'sqlite' | 'postgres';

const env = process.env;
const settings = {
  seconds: Number(env.BENCH_SECONDS ?? 1),
  pairs: Number(env.BENCH_PAIRS ?? 20),
  // Enough requests in flight to keep every stage of the server busy: a request waiting for its token
  // read, or for its audit batch, leaves the request thread free for others. With 10, half of them were
  // always waiting, and the runs measured the wait rather than the capacity (docs/benchmarks.md).
  connections: Number(env.BENCH_CONNECTIONS ?? 64),
  records: Number(env.BENCH_RECORDS ?? 10_000),
  largeRecords: Number(env.BENCH_LARGE_RECORDS ?? 1_000_000),
  latencySeconds: Number(env.BENCH_LATENCY_SECONDS ?? 10),
  stores: (env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[],
  postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  /** Which measurements to run (all by default): echo, batch, audit, scale, latency, insert. */
  only: new Set((env.BENCH_ONLY ?? 'echo,batch,audit,scale,latency,insert').split(',').map((s) => s.trim())),
};
for (const store of settings.stores) {
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${store}"`);
}
for (const part of settings.only) {
  if (!['echo', 'batch', 'audit', 'scale', 'latency', 'insert'].includes(part))
    throw new Error(`BENCH_ONLY: unknown "${part}"`);
}

const BATCH = 25;
const TARGETS = {
  detokenizeVsEcho: 0.5,
  batchVsBaseline: 0.6,
  insertVsBaseline: 0.5,
  largeVsSmall: 0.8,
  auditOnVsOff: 0.8,
} as const;
/** Tokens kept per store for the load generator, drawn uniformly from every token stored. */
const POOL = 100_000;

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (text: string) => process.stdout.write(`${text}\n`);
const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const mib = (bytes: number) => round(bytes / 2 ** 20);

/** One timed run of one side of a comparison, in the comparison's unit (requests, tokens or records). */
interface Sample {
  readonly perSecond: number;
  /** CPU time per unit of the process doing the work (the server, or the bench process for baselines). */
  readonly cpuMicros: number;
}

interface Comparison {
  readonly name: string;
  readonly unit: string;
  readonly baselineName: string;
  readonly measuredName: string;
  readonly baselinePerSecond: number;
  readonly measuredPerSecond: number;
  /** Median of the per-pair ratios measured / baseline. */
  readonly ratio: number;
  readonly ratioGeometricMean: number;
  readonly ratioPerPair: number[];
  readonly cpuMicrosPerUnit: { readonly baseline: number; readonly measured: number };
  readonly target?: number;
  readonly pass?: boolean;
}

/** Runs `baseline` and `measured` in `pairs` back-to-back pairs, alternating which goes first. */
async function compare(
  name: string,
  unit: string,
  baseline: { name: string; run: () => Promise<Sample> },
  measured: { name: string; run: () => Promise<Sample> },
  target?: number,
): Promise<Comparison> {
  // Warm-up: JIT, caches, connection pools, database pages.
  await baseline.run();
  await measured.run();
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let pair = 0; pair < settings.pairs; pair++) {
    if (pair % 2 === 0) {
      a.push(await baseline.run());
      b.push(await measured.run());
    } else {
      b.push(await measured.run());
      a.push(await baseline.run());
    }
  }
  const ratios = b.map((s, i) => s.perSecond / (a[i] as Sample).perSecond);
  const ratio = median(ratios);
  const comparison: Comparison = {
    name,
    unit,
    baselineName: baseline.name,
    measuredName: measured.name,
    baselinePerSecond: round(median(a.map((s) => s.perSecond))),
    measuredPerSecond: round(median(b.map((s) => s.perSecond))),
    ratio: round(ratio, 3),
    ratioGeometricMean: round(geometricMean(ratios), 3),
    ratioPerPair: ratios.map((r) => round(r, 3)),
    cpuMicrosPerUnit: {
      baseline: round(median(a.map((s) => s.cpuMicros)), 1),
      measured: round(median(b.map((s) => s.cpuMicros)), 1),
    },
    ...(target !== undefined && { target, pass: ratio >= target }),
  };
  const verdict = target === undefined ? '' : `  (target ≥ ${target}: ${comparison.pass ? 'PASS' : 'FAIL'})`;
  out(
    `  ${name}: ${comparison.measuredPerSecond.toLocaleString('en')} vs ${comparison.baselinePerSecond.toLocaleString(
      'en',
    )} ${unit}/s, ratio ${comparison.ratio} (geometric mean ${comparison.ratioGeometricMean})${verdict}`,
  );
  return comparison;
}

const fromLoad = (run: LoadResult, unitsPerRequest: number): Sample => ({
  perSecond: run.requestsPerSecond * unitsPerRequest,
  cpuMicros: run.cpuMicrosPerRequest / unitsPerRequest,
});
const fromLoop = (run: LoopResult): Sample => ({ perSecond: run.unitsPerSecond, cpuMicros: run.cpuMicrosPerUnit });

const pick = (pool: readonly PoolToken[]) => (pool[Math.floor(Math.random() * pool.length)] as PoolToken).token;

/** A detokenize body of `n` tokens drawn at random from `pool`, asking for plain text. */
const detokenizeBody = (pool: readonly PoolToken[], n: number) => () =>
  JSON.stringify({
    detokenizationParameters: Array.from({ length: n }, () => ({ token: pick(pool), redaction: 'PLAIN_TEXT' })),
  });

/** The insert body: 25 records of 5 values, tokens asked back (random UUID tokens, so it can be re-sent). */
const insertBody = JSON.stringify({
  records: Array.from({ length: BATCH }, (_, i) => ({ fields: person(50_000_000 + i) })),
  tokenization: true,
});

/** A fresh, uniquely named PostgreSQL schema on the benchmark database (the server creates it). */
function freshSchemaUrl(): { url: string; schema: string } {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(settings.postgresUrl);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), schema };
}

async function withPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: settings.postgresUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Bytes the store takes on disk: the SQLite file and its WAL, or the schema's relations. */
async function storeBytes(server: ServerProcess, schema: string | undefined): Promise<number> {
  if (schema === undefined) {
    const file = server.databaseUrl.slice('sqlite:'.length);
    const size = (f: string) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    };
    return size(file) + size(`${file}-wal`);
  }
  return withPostgres(async (client) => {
    const { rows } = await client.query<{ bytes: string }>(
      `select coalesce(sum(pg_total_relation_size(c.oid)), 0)::text as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind = 'r'`,
      [schema],
    );
    return Number(rows[0]?.bytes ?? 0);
  });
}

/** One server on a fresh store with a benchmark vault of `records` seeded records. */
interface SeededServer {
  readonly server: ServerProcess;
  readonly rootKey: Buffer;
  readonly schema: string | undefined;
  readonly vaultId: string;
  readonly bearer: string;
  readonly pool: PoolToken[];
  readonly dataKeys: Map<number, Buffer>;
  readonly records: number;
  readonly seedSeconds: number;
  readonly storeBytes: number;
}

async function seededServer(kind: StoreKind, records: number, label: string): Promise<SeededServer> {
  const rootKey = randomBytes(32);
  const pgTarget = kind === 'postgres' ? freshSchemaUrl() : undefined;
  const server = await startServerProcess({
    rootKey: rootKey.toString('base64'),
    ...(pgTarget && { databaseUrl: pgTarget.url }),
  });
  try {
    const bearer = await accessToken(server);
    const vaultId = await createVault(server.url, bearer, `bench-${label}`);
    out(`  seeding ${records.toLocaleString('en')} records (${label})…`);
    const seeded = await seed({
      label,
      databaseUrl: server.databaseUrl,
      rootKey,
      vaultId,
      records,
      batch: 500,
      concurrency: kind === 'postgres' ? 4 : 1,
      sample: POOL,
    });
    // After a bulk load, PostgreSQL's planner has no statistics until autovacuum gets round to it (up to a
    // minute later), and without them it may scan a vault's tokens by vault rather than look each one up
    // by primary key: analyse, as anyone would after loading data.
    if (pgTarget) await analyze(pgTarget.schema);
    const bytes = await storeBytes(server, pgTarget?.schema);
    out(
      `  seeded ${records.toLocaleString('en')} records in ${seeded.seconds.toFixed(1)} s (${Math.round(
        records / seeded.seconds,
      ).toLocaleString('en')} records/s); store ${(bytes / 2 ** 20).toFixed(0)} MiB`,
    );
    return {
      server,
      rootKey,
      schema: pgTarget?.schema,
      vaultId,
      bearer,
      pool: seeded.pool,
      dataKeys: seeded.dataKeys,
      records,
      seedSeconds: round(seeded.seconds, 1),
      storeBytes: bytes,
    };
  } catch (err) {
    await server.stop();
    if (pgTarget) await dropSchema(pgTarget.schema);
    throw err;
  }
}

/**
 * Brings a seeded store into the OS page cache, as a store under steady load is. A store of a million
 * records is several GiB; right after seeding, part of it has already been evicted (this machine's
 * memory manager pages out file pages untouched for a minute), and reading those back from disk would
 * measure the disk. The small store is read constantly and stays cached. Both are then kept warm by the
 * load itself (pairs alternate every `BENCH_SECONDS`).
 */
async function warmStore(target: SeededServer): Promise<number> {
  const started = performance.now();
  if (target.schema === undefined) {
    const file = target.server.databaseUrl.slice('sqlite:'.length);
    const chunk = Buffer.allocUnsafe(8 << 20);
    for (const name of [file, `${file}-wal`]) {
      let fd: number;
      try {
        fd = openSync(name, 'r');
      } catch {
        continue;
      }
      try {
        while (readSync(fd, chunk, 0, chunk.length, null) > 0) {}
      } finally {
        closeSync(fd);
      }
    }
  } else {
    const schema = target.schema;
    await withPostgres(async (client) => {
      // pg_prewarm (contrib) reads a relation's files; created in the run's schema, dropped with it.
      const found = await client.query<{ nspname: string }>(
        `select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_prewarm'`,
      );
      let extension = found.rows[0]?.nspname;
      if (extension === undefined) {
        await client.query(`create extension pg_prewarm schema "${schema}"`);
        extension = schema;
      }
      const relations = await client.query<{ oid: string }>(
        `select c.oid::text as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = $1 and c.relkind in ('r', 'i', 't')`,
        [schema],
      );
      for (const { oid } of relations.rows) {
        await client.query(`select "${extension}".pg_prewarm($1::oid::regclass, 'read')`, [oid]);
      }
    });
  }
  return (performance.now() - started) / 1000;
}

async function analyze(schema: string): Promise<void> {
  await withPostgres(async (client) => {
    const tables = await client.query<{ name: string }>(
      'select tablename as name from pg_tables where schemaname = $1',
      [schema],
    );
    for (const { name } of tables.rows) await client.query(`analyze "${schema}"."${name}"`);
  });
}

async function dropSchema(schema: string): Promise<void> {
  await withPostgres((client) => client.query(`drop schema if exists "${schema}" cascade`));
}

async function stopSeeded(seeded: SeededServer): Promise<void> {
  await seeded.server.stop();
  if (seeded.schema) await dropSchema(seeded.schema);
}

/** The server's detokenize route, `n` random tokens of the pool per request. */
function detokenizeRun(target: SeededServer, n: number, name: string) {
  return {
    name,
    run: async () =>
      fromLoad(
        await load({
          name,
          url: `${target.server.url}/v1/vaults/${target.vaultId}/detokenize`,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${target.bearer}` },
          bodies: detokenizeBody(target.pool, n),
          seconds: settings.seconds,
          connections: settings.connections,
          cpuOf: target.server.cpuMillis,
        }),
        n,
      ),
  };
}

function baselineRun(name: string, baseline: Baseline) {
  return { name, run: async () => fromLoop(await baseline.run(settings.seconds)) };
}

function detokenizeBaseline(kind: StoreKind, target: SeededServer): Baseline {
  return kind === 'sqlite'
    ? sqliteDetokenizeBaseline(
        target.server.databaseUrl.slice('sqlite:'.length),
        target.vaultId,
        target.dataKeys,
        target.pool,
        BATCH,
      )
    : pgDetokenizeBaseline(
        target.server.databaseUrl,
        target.vaultId,
        target.dataKeys,
        target.pool,
        BATCH,
        settings.connections,
      );
}

interface LatencyResult extends PacedResult {
  readonly peakRequestsPerSecond: number;
}

async function latencyAtHalfPeak(
  name: string,
  url: string,
  headers: Record<string, string>,
  bodies: () => string,
  peakRequestsPerSecond: number,
): Promise<LatencyResult> {
  const options = { name, url, headers, bodies, connections: settings.connections };
  const rate = peakRequestsPerSecond / 2;
  // Warm-up at the same rate, then the measured run.
  await paced({ ...options, rate, seconds: Math.min(3, settings.latencySeconds) });
  const result = await paced({ ...options, rate, seconds: settings.latencySeconds });
  out(
    `  ${name} at ${result.targetRate.toLocaleString('en')} req/s (half of ${Math.round(
      peakRequestsPerSecond,
    ).toLocaleString('en')}): p50 ${result.p50Ms} ms, p90 ${result.p90Ms} ms, p99 ${result.p99Ms} ms`,
  );
  return { ...result, peakRequestsPerSecond: Math.round(peakRequestsPerSecond) };
}

interface StoreResults {
  readonly store: StoreKind;
  readonly seeding: { small: Seeding; large?: Seeding };
  readonly detokenizeVsEcho?: Comparison;
  readonly batchVsBaseline?: Comparison;
  readonly insertVsBaseline?: Comparison;
  readonly largeVsSmall?: Comparison;
  readonly largeVsSmallSingle?: Comparison;
  readonly largeVsSmallBaseline?: Comparison;
  readonly auditOnVsOff?: Comparison;
  readonly auditOnVsOffBatch?: Comparison;
  readonly latency: {
    detokenize?: LatencyResult;
    batchDetokenize?: LatencyResult;
    insert?: LatencyResult;
  };
}

interface Seeding {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly storeMiB: number;
}

const seeding = (s: SeededServer): Seeding => ({
  records: s.records,
  seconds: s.seedSeconds,
  recordsPerSecond: round(s.records / s.seedSeconds),
  storeMiB: mib(s.storeBytes),
});

async function runStore(kind: StoreKind, echo: ListeningProcess): Promise<StoreResults> {
  out(`\n== ${kind} ==`);
  const small = await seededServer(kind, settings.records, `${kind} ${settings.records.toLocaleString('en')}`);
  let large: SeededServer | undefined;
  const baselines: Baseline[] = [];
  const results: Mutable<StoreResults> = { store: kind, seeding: { small: seeding(small) }, latency: {} };
  try {
    const bearerHeaders = { 'content-type': 'application/json', authorization: `Bearer ${small.bearer}` };
    const detokenizeUrl = `${small.server.url}/v1/vaults/${small.vaultId}/detokenize`;
    const single = detokenizeRun(small, 1, 'detokenize, 1 token');
    const batch = detokenizeRun(small, BATCH, 'detokenize, 25 tokens');
    const smallBaseline = detokenizeBaseline(kind, small);
    baselines.push(smallBaseline);

    // 1. Single-token detokenize against the framework's JSON echo (same bodies, same headers).
    if (settings.only.has('echo')) {
      const echoRun = {
        name: 'Fastify JSON echo',
        run: async () =>
          fromLoad(
            await load({
              name: 'echo',
              url: `${echo.url}/echo`,
              method: 'POST',
              headers: bearerHeaders,
              bodies: detokenizeBody(small.pool, 1),
              seconds: settings.seconds,
              connections: settings.connections,
              cpuOf: echo.cpuMillis,
            }),
            1,
          ),
      };
      results.detokenizeVsEcho = await compare(
        'single-token detokenize / JSON echo',
        'req',
        echoRun,
        single,
        TARGETS.detokenizeVsEcho,
      );
    }

    // 2. 25-token batches against the in-process loop.
    if (settings.only.has('batch')) {
      results.batchVsBaseline = await compare(
        '25-token detokenize / in-process loop',
        'token',
        baselineRun('in-process lookup + decrypt', smallBaseline),
        batch,
        TARGETS.batchVsBaseline,
      );
    }

    // What the audit log (on in production: every request waits for its entry to commit) costs detokenize,
    // against a second server on the same store with it turned off (issue 4: at most a fifth).
    if (settings.only.has('audit')) {
      const quiet = await startServerProcess({
        dataDir: small.server.dataDir,
        databaseUrl: small.server.databaseUrl,
        rootKey: small.rootKey.toString('base64'),
        keepDataDir: true,
        env: { STRONGROOM_AUDIT_LOG: 'false' },
      });
      try {
        const unaudited = { ...small, server: quiet };
        results.auditOnVsOff = await compare(
          'single-token detokenize, audit log on / off',
          'req',
          detokenizeRun(unaudited, 1, 'detokenize, 1 token, no audit log'),
          single,
          TARGETS.auditOnVsOff,
        );
        results.auditOnVsOffBatch = await compare(
          '25-token detokenize, audit log on / off',
          'token',
          detokenizeRun(unaudited, BATCH, 'detokenize, 25 tokens, no audit log'),
          batch,
          TARGETS.auditOnVsOff,
        );
      } finally {
        await quiet.stop();
      }
    }

    // 4. The same reads on a store of a million records, against the small store, in alternating pairs.
    if (settings.only.has('scale')) {
      large = await seededServer(kind, settings.largeRecords, `${kind} ${settings.largeRecords.toLocaleString('en')}`);
      results.seeding.large = seeding(large);
      const warmSeconds = await warmStore(large);
      await warmStore(small);
      out(`  large store read into the page cache in ${warmSeconds.toFixed(1)} s`);
      const sizes = `${settings.largeRecords.toLocaleString('en')} / ${settings.records.toLocaleString('en')} records`;
      results.largeVsSmall = await compare(
        `25-token detokenize, ${sizes}`,
        'token',
        batch,
        detokenizeRun(large, BATCH, 'detokenize, 25 tokens, large store'),
        TARGETS.largeVsSmall,
      );
      results.largeVsSmallSingle = await compare(
        `single-token detokenize, ${sizes}`,
        'req',
        single,
        detokenizeRun(large, 1, 'detokenize, 1 token, large store'),
        TARGETS.largeVsSmall,
      );
      const largeBaseline = detokenizeBaseline(kind, large);
      baselines.push(largeBaseline);
      results.largeVsSmallBaseline = await compare(
        `in-process loop, ${sizes} (context)`,
        'token',
        baselineRun('in-process, small store', smallBaseline),
        baselineRun('in-process, large store', largeBaseline),
      );
      await stopSeeded(large);
      large = undefined;
    }

    // 5. Latency at half of the peak throughput measured above (small store).
    if (settings.only.has('latency') && results.detokenizeVsEcho) {
      results.latency.detokenize = await latencyAtHalfPeak(
        'detokenize, 1 token',
        detokenizeUrl,
        bearerHeaders,
        detokenizeBody(small.pool, 1),
        results.detokenizeVsEcho.measuredPerSecond,
      );
    }
    if (settings.only.has('latency') && results.batchVsBaseline) {
      results.latency.batchDetokenize = await latencyAtHalfPeak(
        'detokenize, 25 tokens',
        detokenizeUrl,
        bearerHeaders,
        detokenizeBody(small.pool, BATCH),
        results.batchVsBaseline.measuredPerSecond / BATCH,
      );
    }

    // 3. Inserts (last: they grow the small store), against the in-process loop, then their latency.
    if (settings.only.has('insert')) {
      const insertUrl = `${small.server.url}/v1/vaults/${small.vaultId}/${TABLE}`;
      const people = Array.from({ length: BATCH }, (_, i) => person(60_000_000 + i));
      const insertBaseline =
        kind === 'sqlite'
          ? sqliteInsertBaseline(small.server.databaseUrl.slice('sqlite:'.length), people)
          : pgInsertBaseline(small.server.databaseUrl, people, settings.connections);
      baselines.push(insertBaseline);
      results.insertVsBaseline = await compare(
        `insert, ${BATCH} records × ${COLUMNS.length} columns / in-process loop`,
        'record',
        baselineRun('in-process encrypt + insert', insertBaseline),
        {
          name: 'insert, 25 records',
          run: async () =>
            fromLoad(
              await load({
                name: 'insert',
                url: insertUrl,
                method: 'POST',
                headers: bearerHeaders,
                body: insertBody,
                seconds: settings.seconds,
                connections: settings.connections,
                cpuOf: small.server.cpuMillis,
              }),
              BATCH,
            ),
        },
        TARGETS.insertVsBaseline,
      );
      if (settings.only.has('latency')) {
        results.latency.insert = await latencyAtHalfPeak(
          `insert, ${BATCH} records`,
          insertUrl,
          bearerHeaders,
          () => insertBody,
          results.insertVsBaseline.measuredPerSecond / BATCH,
        );
      }
    }
    return results;
  } finally {
    for (const baseline of baselines) await baseline.close();
    if (large) await stopSeeded(large);
    await stopSeeded(small);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const comparisons = (r: StoreResults): Comparison[] =>
  [
    r.detokenizeVsEcho,
    r.batchVsBaseline,
    r.insertVsBaseline,
    r.largeVsSmall,
    r.largeVsSmallSingle,
    r.largeVsSmallBaseline,
    r.auditOnVsOff,
    r.auditOnVsOffBatch,
  ].filter((c): c is Comparison => c !== undefined);

function report(results: StoreResults): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const row = (c: Comparison) =>
    out(
      `${c.name.padEnd(58)}${`${fmt(c.measuredPerSecond)} ${c.unit}/s`.padStart(18)}${`${fmt(
        c.baselinePerSecond,
      )} ${c.unit}/s`.padStart(18)}${c.ratio.toFixed(3).padStart(8)}${
        c.target === undefined ? '' : `   ≥ ${c.target}  ${c.pass ? 'PASS' : 'FAIL'}`
      }`,
    );
  out(
    `\n${results.store}: ${settings.pairs} alternating pairs × ${settings.seconds} s, ${settings.connections} connections, medians`,
  );
  out(`${'comparison'.padEnd(58)}${'measured'.padStart(18)}${'baseline'.padStart(18)}${'ratio'.padStart(8)}`);
  for (const c of comparisons(results)) row(c);
  const latencies = Object.values(results.latency);
  if (latencies.length > 0) out(`latency at half of peak (open loop, ${settings.latencySeconds} s):`);
  for (const l of latencies) {
    out(
      `  ${l.name.padEnd(24)} ${fmt(l.targetRate).padStart(7)} req/s: p50 ${l.p50Ms} ms, p90 ${l.p90Ms} ms, p99 ${
        l.p99Ms
      } ms`,
    );
  }
  const describe = (s: Seeding) =>
    `${fmt(s.records)} records in ${s.seconds} s (${fmt(s.recordsPerSecond)} records/s, ${s.storeMiB} MiB)`;
  const { small, large } = results.seeding;
  out(`seeding: ${describe(small)}${large ? `; ${describe(large)}` : ''}`);
}

const echo = await startListening([path.join(benchDir, 'dist/echo-server.js')]);
const all: StoreResults[] = [];
try {
  for (const kind of settings.stores) {
    const results = await runStore(kind, echo);
    all.push(results);
    const dir = path.join(benchDir, 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `data-api-${kind}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          benchmark: 'data-api',
          date: new Date().toISOString(),
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
          settings: { ...settings, only: [...settings.only], stores: undefined, postgresUrl: undefined, store: kind },
          targets: TARGETS,
          results,
        },
        null,
        2,
      )}\n`,
    );
    out(`  results written to ${path.relative(process.cwd(), file)}`);
  }
} finally {
  await echo.stop();
}

out('\nData API benchmark');
for (const results of all) report(results);
const failed = all.flatMap((r) =>
  comparisons(r)
    .filter((c) => c.pass === false)
    .map((c) => `${r.store}: ${c.name} ${c.ratio} < ${c.target}`),
);
out(failed.length === 0 ? '\nall targets met' : `\ntargets missed:\n  ${failed.join('\n  ')}`);
if (failed.length > 0) process.exitCode = 1;
