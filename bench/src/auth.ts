/**
 * Authentication benchmark (issue: foundation).
 *
 * 1. Cost of authentication: the same small GET, answered from memory, with a bearer token
 *    (`/v1/auth/whoami`, authenticated) against an unauthenticated route of the same server (`/healthz`),
 *    interleaved in one run. Target: authenticated/unauthenticated ≥ 0.85.
 * 2. The token endpoint's grants per second (JWT-bearer grant: RS256 assertion verified, ES256 token
 *    minted), reported with its ratio to the same unauthenticated baseline.
 *
 * Usage: npm run bench (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS to change the run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPKCS8, SignJWT } from 'jose';
import { type LoadResult, load, median } from './load.js';
import { startServerProcess } from './server-process.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGET = 0.85;

const server = await startServerProcess();
try {
  const { url, credentials } = server;
  const key = await importPKCS8(credentials.privateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ key: credentials.keyID })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(credentials.clientID)
    .setSubject(credentials.clientID)
    .setAudience(credentials.tokenURI)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
  const grantBody = JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
  const tokenResponse = await fetch(`${url}/v1/auth/sa/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: grantBody,
  });
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
  const bearer = { authorization: `Bearer ${accessToken}` };

  const runs: Record<'baseline' | 'bearer' | 'grant', LoadResult[]> = { baseline: [], bearer: [], grant: [] };
  const common = { seconds, connections };
  // Warm-up: JIT, caches, connection pools.
  await load({ name: 'warm-up', url: `${url}/healthz`, ...common, seconds: 2 });
  await load({ name: 'warm-up', url: `${url}/v1/auth/whoami`, headers: bearer, ...common, seconds: 2 });
  for (let round = 1; round <= rounds; round++) {
    runs.baseline.push(await load({ name: 'GET /healthz (no auth)', url: `${url}/healthz`, ...common }));
    runs.bearer.push(
      await load({ name: 'GET /v1/auth/whoami (bearer)', url: `${url}/v1/auth/whoami`, headers: bearer, ...common }),
    );
    runs.grant.push(
      await load({
        name: 'POST /v1/auth/sa/oauth/token',
        url: `${url}/v1/auth/sa/oauth/token`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: grantBody,
        ...common,
      }),
    );
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }

  const baseline = median(runs.baseline.map((r) => r.requestsPerSecond));
  const authenticated = median(runs.bearer.map((r) => r.requestsPerSecond));
  const grants = median(runs.grant.map((r) => r.requestsPerSecond));
  const ratio = authenticated / baseline;
  const summary = {
    benchmark: 'auth',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    settings: { seconds, rounds, connections },
    results: {
      baselineRequestsPerSecond: Math.round(baseline),
      bearerRequestsPerSecond: Math.round(authenticated),
      authRatio: Number(ratio.toFixed(3)),
      authRatioTarget: TARGET,
      grantsPerSecond: Math.round(grants),
      grantRatioToBaseline: Number((grants / baseline).toFixed(3)),
      p99Ms: {
        baseline: median(runs.baseline.map((r) => r.p99Ms)),
        bearer: median(runs.bearer.map((r) => r.p99Ms)),
        grant: median(runs.grant.map((r) => r.p99Ms)),
      },
    },
    runs,
  };
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'auth.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(44)}${value}\n`);
  process.stdout.write(
    `\nauth benchmark — ${rounds} interleaved rounds × ${seconds}s, ${connections} connections, medians\n`,
  );
  line('GET /healthz, unauthenticated (baseline)', `${Math.round(baseline)} req/s`);
  line('GET /v1/auth/whoami, bearer token', `${Math.round(authenticated)} req/s`);
  line(
    'authenticated / unauthenticated',
    `${ratio.toFixed(3)}  (target ≥ ${TARGET}: ${ratio >= TARGET ? 'PASS' : 'FAIL'})`,
  );
  line(
    'POST /v1/auth/sa/oauth/token',
    `${Math.round(grants)} grants/s  (${(grants / baseline).toFixed(3)} × baseline)`,
  );
  process.stdout.write(`results written to bench/results/auth.json\n`);
  if (ratio < TARGET) process.exitCode = 1;
} finally {
  await server.stop();
}
