/**
 * Authentication benchmark (issue: foundation).
 *
 * 1. Cost of authentication: the same small GET, with a bearer token to `/v1/auth/ping` (authenticated,
 *    answers exactly what `/healthz` answers) against the unauthenticated `/healthz` of the same server.
 *    Target: authenticated / unauthenticated throughput ≥ 0.85. `/v1/auth/whoami` (a larger answer built
 *    from the principal) is measured alongside for context.
 * 2. The token endpoint's grants per second (JWT-bearer grant: RS256 assertion verified, ES256 token
 *    minted), with its ratio to the same unauthenticated baseline.
 *
 * These machines are small and noisy, so the two routes are measured in pairs, back to back, in
 * alternating order (A-B, B-A, …); the ratio is taken per pair and its median reported. The server's
 * own CPU time per request (from /proc) is reported too: it does not depend on what else runs.
 *
 * Usage: npm run bench (BENCH_SECONDS, BENCH_PAIRS, BENCH_CONNECTIONS to change the run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { grantBody as makeGrantBody } from './credentials.js';
import { type LoadOptions, type LoadResult, load, median } from './load.js';
import { startServerProcess } from './server-process.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const pairs = Number(process.env.BENCH_PAIRS ?? 40);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TARGET = 0.85;

// The token endpoint's rate limits (per client address and per account, a few hundred grants a minute by
// default) are a policy, not a cost: with them on, the grant runs would measure the limit. Everything else
// runs with the server's defaults.
const server = await startServerProcess({
  env: { STRONGROOM_RATE_LIMIT_TOKEN_PER_IP: '0', STRONGROOM_RATE_LIMIT_TOKEN_PER_ACCOUNT: '0' },
});
try {
  const { url, credentials } = server;
  const grantBody = await makeGrantBody(credentials);
  const tokenResponse = await fetch(`${url}/v1/auth/sa/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: grantBody,
  });
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };

  const common = { seconds, connections, cpuOf: server.cpuMillis };
  const baselineRun: LoadOptions = { name: 'GET /healthz (no auth)', url: `${url}/healthz`, ...common };
  const bearerHeaders = { authorization: `Bearer ${accessToken}` };
  const bearerRun: LoadOptions = {
    name: 'GET /v1/auth/ping (bearer)',
    url: `${url}/v1/auth/ping`,
    headers: bearerHeaders,
    ...common,
  };
  const whoamiRun: LoadOptions = {
    name: 'GET /v1/auth/whoami (bearer)',
    url: `${url}/v1/auth/whoami`,
    headers: bearerHeaders,
    ...common,
  };
  const grantRun: LoadOptions = {
    name: 'POST /v1/auth/sa/oauth/token',
    url: `${url}/v1/auth/sa/oauth/token`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: grantBody,
    ...common,
    seconds: seconds + 1,
  };

  // Warm-up: JIT, caches, connection pools.
  await load({ ...baselineRun, seconds: 2 });
  await load({ ...bearerRun, seconds: 2 });
  await load({ ...whoamiRun, seconds: 2 });
  await load({ ...grantRun, seconds: 2 });

  const baseline: LoadResult[] = [];
  const bearer: LoadResult[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      baseline.push(await load(baselineRun));
      bearer.push(await load(bearerRun));
    } else {
      bearer.push(await load(bearerRun));
      baseline.push(await load(baselineRun));
    }
  }
  const whoami: LoadResult[] = [];
  const whoamiBaseline: LoadResult[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(pairs / 3)); i++) {
    whoamiBaseline.push(await load(baselineRun));
    whoami.push(await load(whoamiRun));
  }
  const grant: LoadResult[] = [];
  for (let i = 0; i < 3; i++) grant.push(await load(grantRun));

  const throughputRatios = bearer.map((b, i) => b.requestsPerSecond / (baseline[i] as LoadResult).requestsPerSecond);
  const cpuRatios = bearer.map((b, i) => (baseline[i] as LoadResult).cpuMicrosPerRequest / b.cpuMicrosPerRequest);
  const ratio = median(throughputRatios);
  const whoamiRatio = median(
    whoami.map((w, i) => w.requestsPerSecond / (whoamiBaseline[i] as LoadResult).requestsPerSecond),
  );
  const geometricMean = (values: readonly number[]) =>
    Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
  const baselineRps = median(baseline.map((r) => r.requestsPerSecond));
  const grants = median(grant.map((r) => r.requestsPerSecond));
  const summary = {
    benchmark: 'auth',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    settings: { seconds, pairs, connections },
    results: {
      baselineRequestsPerSecond: Math.round(baselineRps),
      bearerRequestsPerSecond: Math.round(median(bearer.map((r) => r.requestsPerSecond))),
      authRatio: Number(ratio.toFixed(3)),
      authRatioPerPair: throughputRatios.map((r) => Number(r.toFixed(3))),
      authRatioGeometricMean: Number(geometricMean(throughputRatios).toFixed(3)),
      authRatioTarget: TARGET,
      whoamiRequestsPerSecond: Math.round(median(whoami.map((r) => r.requestsPerSecond))),
      whoamiRatio: Number(whoamiRatio.toFixed(3)),
      serverCpuMicrosPerRequest: {
        baseline: Number(median(baseline.map((r) => r.cpuMicrosPerRequest)).toFixed(1)),
        bearer: Number(median(bearer.map((r) => r.cpuMicrosPerRequest)).toFixed(1)),
        whoami: Number(median(whoami.map((r) => r.cpuMicrosPerRequest)).toFixed(1)),
        grant: Number(median(grant.map((r) => r.cpuMicrosPerRequest)).toFixed(1)),
      },
      authCpuRatio: Number(median(cpuRatios).toFixed(3)),
      grantsPerSecond: Math.round(grants),
      grantRatioToBaseline: Number((grants / baselineRps).toFixed(3)),
      p99Ms: {
        baseline: median(baseline.map((r) => r.p99Ms)),
        bearer: median(bearer.map((r) => r.p99Ms)),
        grant: median(grant.map((r) => r.p99Ms)),
      },
    },
    runs: { baseline, bearer, whoamiBaseline, whoami, grant },
  };
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'auth.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const r = summary.results;
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(48)}${value}\n`);
  process.stdout.write(
    `\nauth benchmark: ${pairs} alternating pairs × ${seconds}s, ${connections} connections, medians\n`,
  );
  line(
    'GET /healthz, unauthenticated (baseline)',
    `${r.baselineRequestsPerSecond} req/s, ${r.serverCpuMicrosPerRequest.baseline} µs server CPU/req`,
  );
  line(
    'GET /v1/auth/ping, bearer token',
    `${r.bearerRequestsPerSecond} req/s, ${r.serverCpuMicrosPerRequest.bearer} µs server CPU/req`,
  );
  line(
    'authenticated / unauthenticated throughput',
    `${r.authRatio} median of pairs, ${r.authRatioGeometricMean} geometric mean  (target ≥ ${TARGET}: ${
      ratio >= TARGET ? 'PASS' : 'FAIL'
    })`,
  );
  line('  per pair', r.authRatioPerPair.join(' '));
  line('authenticated / unauthenticated, by server CPU', `${r.authCpuRatio}`);
  line(
    'GET /v1/auth/whoami, bearer token (context)',
    `${r.whoamiRequestsPerSecond} req/s, ${r.whoamiRatio} × baseline, ${r.serverCpuMicrosPerRequest.whoami} µs CPU/req`,
  );
  line(
    'POST /v1/auth/sa/oauth/token',
    `${r.grantsPerSecond} grants/s (${r.grantRatioToBaseline} × baseline), ${r.serverCpuMicrosPerRequest.grant} µs CPU/grant`,
  );
  process.stdout.write('results written to bench/results/auth.json\n');
  if (ratio < TARGET) process.exitCode = 1;
} finally {
  await server.stop();
}
