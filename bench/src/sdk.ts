/**
 * SDK overhead benchmark (issue: SDK). The same request — a 25-token detokenize — sent by the SDK
 * (`client.vault().detokenize(…)`: request building, cached bearer token, timeout and retry machinery,
 * response parsing into typed lists) and by plain `fetch` with a hand-written body and `res.json()`.
 * Target: SDK throughput ≥ 0.9 × plain fetch, measured in the same run.
 *
 * The server runs as its own process; the load runs in this process, `BENCH_CONCURRENCY` requests in flight
 * at all times, for `BENCH_SECONDS` per run. The two sides are measured in pairs, back to back, alternating
 * which goes first (A-B, B-A, …); the ratio is taken per pair and its median reported. This process's CPU
 * time per request is reported too: it is where an SDK's overhead lives.
 *
 * Usage: npm run bench:sdk (BENCH_SECONDS, BENCH_PAIRS, BENCH_CONCURRENCY, BENCH_RECORDS to change the run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DetokenizeRequest,
  generateBearerTokenFromCreds,
  InsertOptions,
  InsertRequest,
  LogLevel,
  Skyflow,
} from '@strongroom/sdk';
import { median } from './load.js';
import { startServerProcess } from './server-process.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const pairs = Number(process.env.BENCH_PAIRS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const records = Number(process.env.BENCH_RECORDS ?? 2000);
const TOKENS_PER_REQUEST = 25;
const TARGET = 0.9;
const COLUMNS = ['name', 'email', 'ssn', 'card_number', 'phone'] as const;

const ms = (value: number) => Number(value.toFixed(2));

interface Run {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time of this (client) process per request, in microseconds. */
  readonly clientCpuMicrosPerRequest: number;
}

/** Keeps `concurrency` calls of `call` in flight for `seconds`; every call must succeed. */
async function measure(name: string, call: () => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    name,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: Number(at(50).toFixed(2)),
    p99Ms: Number(at(99).toFixed(2)),
    clientCpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, latencies.length),
  };
}

const server = await startServerProcess();
try {
  const credentialsString = JSON.stringify(server.credentials);
  const { accessToken } = await generateBearerTokenFromCreds(credentialsString);
  const created = await fetch(`${server.url}/v1/vaults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'sdk-bench',
      vaultSchema: {
        schemas: [
          {
            name: 'persons',
            fields: COLUMNS.map((name) => ({
              name,
              datatype: 'DT_STRING',
              tags: [
                { name: 'skyflow.options.default_token_policy', values: ['NON_DETERMINISTIC_UUID'] },
                { name: 'skyflow.options.default_dlp_policy', values: ['MASK'] },
              ],
            })),
          },
        ],
      },
    }),
  });
  if (!created.ok) throw new Error(`vault creation failed: ${created.status} ${await created.text()}`);
  const vaultId = ((await created.json()) as { ID: string }).ID;

  // The SDK side authenticates as an application would: credentials in, bearer tokens cached by the SDK.
  const client = new Skyflow({
    vaultConfigs: [{ vaultId, vaultURL: server.url }],
    skyflowCredentials: { credentialsString },
    logLevel: LogLevel.ERROR,
  });
  const vault = client.vault();

  // Seed through the SDK: 25 records per insert, every column tokenized.
  const pool: string[] = [];
  for (let i = 0; i < records; i += 25) {
    const batch = Array.from({ length: Math.min(25, records - i) }, (_, j) => {
      const n = i + j;
      return {
        name: `Person ${n}`,
        email: `person${n}@example.com`,
        ssn: `${String(100 + (n % 900)).padStart(3, '0')}-${String(n % 100).padStart(2, '0')}-${String(n % 10_000).padStart(4, '0')}`,
        card_number: `4${String(n).padStart(15, '0')}`,
        phone: `+1 555 ${String(n % 1000).padStart(3, '0')} ${String(n % 10_000).padStart(4, '0')}`,
      };
    });
    const res = await vault.insert(new InsertRequest('persons', batch), new InsertOptions().setReturnTokens(true));
    for (const record of res.insertedFields) for (const column of COLUMNS) pool.push(record[column] as string);
  }

  let seed = 0x5eed;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const draw = () =>
    Array.from({ length: TOKENS_PER_REQUEST }, () => pool[Math.floor(random() * pool.length)] as string);

  const url = `${server.url}/v1/vaults/${vaultId}/detokenize`;
  const headers = {
    authorization: `Bearer ${accessToken}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const plainFetch = async () => {
    const tokens = draw();
    const res = await fetch(url, {
      method: 'POST',
      headers,
      // Exactly the body the SDK sends.
      body: JSON.stringify({ detokenizationParameters: tokens.map((token) => ({ token, redaction: 'DEFAULT' })) }),
    });
    if (res.status !== 200) throw new Error(`plain fetch: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { records: unknown[] };
    if (body.records.length !== TOKENS_PER_REQUEST) throw new Error('plain fetch: short answer');
  };
  const sdk = async () => {
    const res = await vault.detokenize(new DetokenizeRequest(draw()));
    if (res.detokenizedFields.length !== TOKENS_PER_REQUEST) throw new Error('sdk: short answer');
  };

  // Warm-up: JIT on both sides, keep-alive connections, the SDK's token cache.
  await measure('warm-up fetch', plainFetch);
  await measure('warm-up sdk', sdk);

  const baseline: Run[] = [];
  const measured: Run[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      baseline.push(await measure('plain fetch', plainFetch));
      measured.push(await measure('sdk', sdk));
    } else {
      measured.push(await measure('sdk', sdk));
      baseline.push(await measure('plain fetch', plainFetch));
    }
  }
  const ratios = measured.map((m, i) => m.requestsPerSecond / (baseline[i] as Run).requestsPerSecond);
  const ratio = median(ratios);
  const geometricMean = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  const cpuFetch = median(baseline.map((r) => r.clientCpuMicrosPerRequest));
  const cpuSdk = median(measured.map((r) => r.clientCpuMicrosPerRequest));
  const summary = {
    benchmark: 'sdk',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    settings: { seconds, pairs, concurrency, records, tokensPerRequest: TOKENS_PER_REQUEST },
    results: {
      plainFetchRequestsPerSecond: Math.round(median(baseline.map((r) => r.requestsPerSecond))),
      sdkRequestsPerSecond: Math.round(median(measured.map((r) => r.requestsPerSecond))),
      sdkRatio: Number(ratio.toFixed(3)),
      sdkRatioPerPair: ratios.map((r) => Number(r.toFixed(3))),
      sdkRatioGeometricMean: Number(geometricMean.toFixed(3)),
      sdkRatioTarget: TARGET,
      clientCpuMicrosPerRequest: { plainFetch: Math.round(cpuFetch), sdk: Math.round(cpuSdk) },
      sdkClientCpuOverheadMicros: Math.round(cpuSdk - cpuFetch),
      p50Ms: { plainFetch: ms(median(baseline.map((r) => r.p50Ms))), sdk: ms(median(measured.map((r) => r.p50Ms))) },
      p99Ms: { plainFetch: ms(median(baseline.map((r) => r.p99Ms))), sdk: ms(median(measured.map((r) => r.p99Ms))) },
    },
    runs: { baseline, measured },
  };
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'sdk.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const r = summary.results;
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(44)}${value}\n`);
  process.stdout.write(
    `\nsdk benchmark: 25-token detokenize, ${pairs} alternating pairs × ${seconds}s, ${concurrency} in flight, medians\n`,
  );
  line(
    'plain fetch (baseline)',
    `${r.plainFetchRequestsPerSecond} req/s, ${r.clientCpuMicrosPerRequest.plainFetch} µs client CPU/req`,
  );
  line(
    'SDK vault().detokenize',
    `${r.sdkRequestsPerSecond} req/s, ${r.clientCpuMicrosPerRequest.sdk} µs client CPU/req`,
  );
  line(
    'SDK / plain fetch throughput',
    `${r.sdkRatio} median of pairs, ${r.sdkRatioGeometricMean} geometric mean  (target ≥ ${TARGET}: ${
      ratio >= TARGET ? 'PASS' : 'FAIL'
    })`,
  );
  line('  per pair', r.sdkRatioPerPair.join(' '));
  line(
    'p50 / p99 latency, fetch vs SDK',
    `${r.p50Ms.plainFetch}/${r.p99Ms.plainFetch} ms vs ${r.p50Ms.sdk}/${r.p99Ms.sdk} ms`,
  );
  process.stdout.write('results written to bench/results/sdk.json\n');
  if (ratio < TARGET) process.exitCode = 1;
} finally {
  await server.stop();
}
