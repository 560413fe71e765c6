/**
 * Policy-engine benchmark (issue: access control). Detokenize as a service account whose custom role
 * carries 50 policy rules, against the same caller shape whose role carries one allow-all rule, in the
 * same run on the same server and data. Target: 50 rules ≥ 0.85 × one rule.
 *
 * The 50 rules are the expensive kind for the engine: all of them are DETOKENIZATION rules on the
 * vault's columns (so none is skipped by its action), 25 DENY rules and 24 ALLOW rules with CEL
 * conditions over the request context (each would run on a cold question), and the one ALLOW rule that
 * grants the request. Both callers carry the same context in their bearer token.
 *
 * Measured with autocannon against the server process, alternating pairs (A-B, B-A…), the ratio taken
 * per pair and its median reported, for single-token and 25-token requests, on SQLite and (when
 * reachable) PostgreSQL.
 *
 * Usage: npm run bench:policies (BENCH_SECONDS, BENCH_PAIRS, BENCH_CONNECTIONS, BENCH_RECORDS,
 * BENCH_STORES=sqlite,postgres, BENCH_POSTGRES_URL).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPKCS8, SignJWT } from 'jose';
import pg from 'pg';
import { accessToken } from './credentials.js';
import { createVault, person } from './fixture.js';
import { geometricMean, load, median } from './load.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

const env = process.env;
const settings = {
  seconds: Number(env.BENCH_SECONDS ?? 2),
  pairs: Number(env.BENCH_PAIRS ?? 10),
  connections: Number(env.BENCH_CONNECTIONS ?? 10),
  records: Number(env.BENCH_RECORDS ?? 1000),
  stores: (env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()),
  postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};
const TARGET = 0.85;
const COLUMNS = ['name', 'email', 'ssn', 'card_number', 'phone'] as const;
const round = (v: number, digits = 0) => Number(v.toFixed(digits));
const out = (line: string) => process.stdout.write(`${line}\n`);

/** The 50 rules: 25 DENY and 24 conditional ALLOW on DETOKENIZATION that do not match, and one that does. */
function fiftyRules(): string[] {
  const rules: string[] = [];
  for (let i = 0; i < 25; i++) {
    const column = COLUMNS[i % COLUMNS.length];
    rules.push(`DENY DETOKENIZATION ON persons.${column} WHERE request.context.purpose == 'blocked_${i}'`);
  }
  for (let i = 0; i < 24; i++) {
    const column = COLUMNS[i % COLUMNS.length];
    rules.push(
      `ALLOW DETOKENIZATION ON persons.${column} WITH REDACTION = MASKED WHERE request.context.team == 'team_${i}' && request.context.purpose != 'audit'`,
    );
  }
  rules.push("ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT WHERE request.context.purpose == 'bench'");
  return rules;
}

interface Caller {
  readonly bearer: string;
}

async function api(server: ServerProcess, bearer: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** A service account with a custom role carrying one active policy of `rules`, and a bearer with ctx. */
async function callerWith(server: ServerProcess, admin: string, vaultId: string, name: string, rules: string[]) {
  const role = await api(server, admin, 'POST', '/v1/roles', {
    roleDefinition: { name },
    resource: { ID: vaultId, type: 'VAULT' },
  });
  const policy = await api(server, admin, 'POST', '/v1/policies', {
    name,
    resource: { ID: vaultId, type: 'VAULT' },
    ruleParams: rules.map((ruleExpression, i) => ({ name: `rule_${i}`, ruleExpression })),
    activated: true,
  });
  await api(server, admin, 'POST', '/v1/policies/assign', { ID: policy.ID, roleIDs: [role.ID] });
  const credentials = await api(server, admin, 'POST', '/v1/serviceAccounts', {
    serviceAccount: { name },
    roleIDs: [role.ID],
  });
  const key = await importPKCS8(credentials.privateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    iss: credentials.clientID,
    key: credentials.keyID,
    aud: credentials.tokenURI,
    sub: credentials.clientID,
    iat: now,
    exp: now + 3600,
    ctx: { purpose: 'bench', team: 'platform' },
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(key);
  const grant = await fetch(`${server.url}/v1/auth/sa/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
  });
  const body = (await grant.json()) as { accessToken?: string };
  if (!grant.ok || !body.accessToken) throw new Error(`token grant failed: ${grant.status}`);
  return { bearer: body.accessToken } satisfies Caller;
}

interface Comparison {
  name: string;
  baselinePerSecond: number;
  measuredPerSecond: number;
  ratio: number;
  ratioGeometricMean: number;
  ratioPerPair: number[];
  cpuMicrosPerRequest: { baseline: number; measured: number };
  target: number;
  pass: boolean;
}

async function runStore(kind: string): Promise<Record<string, unknown>> {
  const schema = kind === 'postgres' ? `bench_${randomBytes(6).toString('hex')}` : undefined;
  let databaseUrl: string | undefined;
  if (schema) {
    const url = new URL(settings.postgresUrl);
    url.searchParams.set('schema', schema);
    databaseUrl = url.toString();
  }
  const server = await startServerProcess({ ...(databaseUrl && { databaseUrl }) });
  try {
    const admin = await accessToken(server);
    const vaultId = await createVault(server.url, admin, `bench-policies-${kind}`);
    const pool: string[] = [];
    for (let i = 0; i < settings.records; i += 25) {
      const records = Array.from({ length: Math.min(25, settings.records - i) }, (_, j) => ({ fields: person(i + j) }));
      const res = await api(server, admin, 'POST', `/v1/vaults/${vaultId}/persons`, { records, tokenization: true });
      for (const record of res.records) pool.push(...(Object.values(record.tokens) as string[]));
    }
    const one = await callerWith(server, admin, vaultId, 'one_rule', [
      'ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT',
    ]);
    const fifty = await callerWith(server, admin, vaultId, 'fifty_rules', fiftyRules());
    const pick = () => pool[Math.floor(Math.random() * pool.length)] as string;
    const bodyOf = (n: number) => () =>
      JSON.stringify({
        detokenizationParameters: Array.from({ length: n }, () => ({ token: pick(), redaction: 'PLAIN_TEXT' })),
      });
    const run = (caller: Caller, n: number, name: string) =>
      load({
        name,
        url: `${server.url}/v1/vaults/${vaultId}/detokenize`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${caller.bearer}` },
        bodies: bodyOf(n),
        seconds: settings.seconds,
        connections: settings.connections,
        cpuOf: server.cpuMillis,
      });
    const results: Record<string, Comparison> = {};
    for (const n of [1, 25]) {
      const label = n === 1 ? 'single-token detokenize' : '25-token detokenize';
      await run(one, n, 'warm-up');
      await run(fifty, n, 'warm-up');
      const a: Awaited<ReturnType<typeof load>>[] = [];
      const b: Awaited<ReturnType<typeof load>>[] = [];
      for (let pair = 0; pair < settings.pairs; pair++) {
        if (pair % 2 === 0) {
          a.push(await run(one, n, 'one rule'));
          b.push(await run(fifty, n, 'fifty rules'));
        } else {
          b.push(await run(fifty, n, 'fifty rules'));
          a.push(await run(one, n, 'one rule'));
        }
      }
      const ratios = b.map((r, i) => r.requestsPerSecond / (a[i]?.requestsPerSecond ?? 1));
      const comparison: Comparison = {
        name: `${label}, 50 rules / 1 allow-all rule`,
        baselinePerSecond: round(median(a.map((r) => r.requestsPerSecond)) * n),
        measuredPerSecond: round(median(b.map((r) => r.requestsPerSecond)) * n),
        ratio: round(median(ratios), 3),
        ratioGeometricMean: round(geometricMean(ratios), 3),
        ratioPerPair: ratios.map((r) => round(r, 3)),
        cpuMicrosPerRequest: {
          baseline: round(median(a.map((r) => r.cpuMicrosPerRequest)), 1),
          measured: round(median(b.map((r) => r.cpuMicrosPerRequest)), 1),
        },
        target: TARGET,
        pass: median(ratios) >= TARGET,
      };
      results[n === 1 ? 'single' : 'batch'] = comparison;
      out(
        `  ${kind}: ${comparison.name}: ${comparison.measuredPerSecond.toLocaleString('en')} vs ${comparison.baselinePerSecond.toLocaleString('en')} tokens/s, ratio ${comparison.ratio} (geometric mean ${comparison.ratioGeometricMean}; server CPU ${comparison.cpuMicrosPerRequest.measured} vs ${comparison.cpuMicrosPerRequest.baseline} µs/request) (target ≥ ${TARGET}: ${comparison.pass ? 'PASS' : 'FAIL'})`,
      );
    }
    return { store: kind, records: settings.records, ...results };
  } finally {
    await server.stop();
    if (schema) {
      const client = new pg.Client({ connectionString: settings.postgresUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: settings.postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

out(
  `policies benchmark: ${settings.pairs} pairs of ${settings.seconds} s, ${settings.connections} connections, ${settings.records} records`,
);
const stores: Record<string, unknown>[] = [];
for (const kind of settings.stores) {
  if (kind === 'postgres' && !(await postgresReachable())) {
    out('  postgres: not reachable, skipped');
    continue;
  }
  stores.push(await runStore(kind));
}
const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  path.join(resultsDir, 'policies.json'),
  `${JSON.stringify(
    {
      benchmark: 'policies',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      settings,
      stores,
    },
    null,
    2,
  )}\n`,
);
