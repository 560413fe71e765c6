/**
 * Detect accuracy and speed: our engine against the npm libraries that do the same job, on the public
 * presidio-research synthetic data set, in one run on one machine.
 *
 *   npm run bench:detect                      (builds first)
 *   BENCH_DETECT_ROUNDS=9 npm run bench:detect
 *
 * Accuracy: span overlap, type-agnostic and typed (§6.9), overall and per label (see
 * detect-support/scorer.ts for the exact definition). Speed: MB/s of UTF-8 input through each engine's
 * own redaction call, each engine in its own worker thread, rounds interleaved across engines by chunk,
 * median round reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DATASET_FILE, loadPresidioSynth, sharedDataDir } from './detect-support/dataset.js';
import { strongroomEngine } from './detect-support/engines.js';
import { type Engine, openRedactionEngine, redactPiiEngine, redactPiiNodeEngine } from './detect-support/peers.js';
import { type PredSpan, type Prf, type Scores, score } from './detect-support/scorer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.resolve(here, '../results/detect.json');
const ROUNDS = Number(process.env.BENCH_DETECT_ROUNDS ?? 5);
// Texts per timed chunk: long enough for each engine to run with warm caches, short enough that the
// machine's load drifts little between the engines' turns on the same chunk.
const CHUNK = Number(process.env.BENCH_DETECT_CHUNK ?? 100);

interface TimedWorker {
  name: string;
  time(chunk: number): Promise<number>;
  stop(): Promise<void>;
}

/** Starts a speed worker for one engine and waits until it has warmed up. */
function startWorker(name: string, chunks: string[][]): Promise<TimedWorker> {
  const worker = new Worker(new URL('./detect-support/speed-worker.js', import.meta.url), {
    workerData: { engine: name, chunks },
  });
  let pending: ((seconds: number) => void) | undefined;
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg: { ready?: boolean; seconds?: number }) => {
      if (msg.ready) {
        resolve({
          name,
          time: (chunk) =>
            new Promise<number>((res) => {
              pending = res;
              worker.postMessage({ chunk });
            }),
          stop: async () => {
            worker.postMessage({ stop: true });
            await new Promise((res) => worker.once('exit', res));
          },
        });
      } else if (msg.seconds !== undefined && pending) {
        const p = pending;
        pending = undefined;
        p(msg.seconds);
      }
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const f3 = (x: number): string => x.toFixed(3);
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

async function main(): Promise<void> {
  const dataDir = sharedDataDir();
  const samples = loadPresidioSynth();
  const texts = samples.map((s) => s.text);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);
  console.log(
    `data: ${path.join(dataDir, DATASET_FILE)} — ${samples.length} texts, ${samples.reduce((n, s) => n + s.spans.length, 0)} labelled spans, ${(bytes / 1024).toFixed(1)} KiB`,
  );

  const ours = strongroomEngine();
  const engines: Engine[] = [ours, redactPiiEngine(), openRedactionEngine(), redactPiiNodeEngine()];

  const accuracy: Record<string, Scores> = {};
  for (const e of engines) {
    const preds: PredSpan[][] = [];
    for (const t of texts) preds.push(await e.detect(t));
    accuracy[e.name] = score(samples, preds);
    const failures = e.alignmentFailures?.() ?? 0;
    if (failures > 0)
      console.log(`${e.name}: ${failures} outputs could not be aligned to spans (counted as no predictions)`);
  }

  // Speed: each engine in its own worker thread (own heap and garbage collector), timed on the same
  // chunks of texts in rotating order so that load from other work on the machine lands on every engine
  // alike (it swings throughput by ±50 % from one second to the next here); each round covers the whole
  // data set once per engine.
  const chunks: string[][] = [];
  for (let i = 0; i < texts.length; i += CHUNK) chunks.push(texts.slice(i, i + CHUNK));
  const names = [...engines.map((e) => e.name), '@strongroom/detect (analyze only)'];
  const workers = await Promise.all(names.map((name) => startWorker(name, chunks)));
  const seconds: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const round: Record<string, number> = {};
    for (let ci = 0; ci < chunks.length; ci++) {
      const shift = (ci + r) % workers.length;
      const order = [...workers.slice(shift), ...workers.slice(0, shift)];
      for (const w of order) round[w.name] = (round[w.name] ?? 0) + (await w.time(ci));
    }
    for (const [name, s] of Object.entries(round)) {
      const list = seconds[name] ?? [];
      list.push(s);
      seconds[name] = list;
    }
  }
  await Promise.all(workers.map((w) => w.stop()));
  const mbps: Record<string, number> = {};
  for (const [name, s] of Object.entries(seconds)) mbps[name] = bytes / 1e6 / median(s);
  // The same comparison as paired ratios per round (robust to slow rounds).
  const oursPerRound = seconds[ours.name] ?? [];
  const speedVsRedactPii = median((seconds['redact-pii'] ?? []).map((s, i) => s / (oursPerRound[i] ?? Number.NaN)));

  // Report.
  const lines: string[] = [];
  lines.push('## Overall (span overlap)', '');
  lines.push(
    row([
      'engine',
      'version',
      'P (any type)',
      'R (any type)',
      'F1 (any type)',
      'P (typed)',
      'R (typed)',
      'F1 (typed)',
      'MB/s',
    ]),
  );
  lines.push(row(Array(9).fill('---')));
  for (const e of engines) {
    const s = accuracy[e.name] as Scores;
    const a = s.overall.agnostic;
    const t = s.overall.typed;
    lines.push(
      row([
        e.name,
        e.version,
        f3(a.precision),
        f3(a.recall),
        f3(a.f1),
        f3(t.precision),
        f3(t.recall),
        f3(t.f1),
        (mbps[e.name] ?? 0).toFixed(2),
      ]),
    );
  }
  lines.push(
    '',
    `@strongroom/detect analyze only (no replacement): ${(mbps['@strongroom/detect (analyze only)'] ?? 0).toFixed(2)} MB/s.`,
    `Paired speed, @strongroom/detect de-identify vs redact-pii redact (median over rounds of their time ratio, >1 = we are faster): ${speedVsRedactPii.toFixed(2)}.`,
    '',
  );
  const labels = Object.keys(accuracy[ours.name]?.perEntity ?? {});
  for (const mode of ['agnostic', 'typed'] as const) {
    lines.push(`## Per label, ${mode === 'agnostic' ? 'type-agnostic' : 'typed (§6.9)'} — P / R / F1`, '');
    lines.push(row(['label', 'gold', ...engines.map((e) => e.name)]));
    lines.push(row(Array(engines.length + 2).fill('---')));
    for (const label of labels) {
      const gold = accuracy[ours.name]?.perEntity[label]?.[mode].gold ?? 0;
      const cells = engines.map((e) => {
        const p = accuracy[e.name]?.perEntity[label]?.[mode] as Prf;
        return p.pred === 0 && p.tpGold === 0
          ? `— / ${f3(p.recall)} / —`
          : `${f3(p.precision)} / ${f3(p.recall)} / ${f3(p.f1)}`;
      });
      lines.push(row([label, String(gold), ...cells]));
    }
    lines.push('');
  }
  lines.push('## Our predictions by §6.9 type (type-agnostic precision)', '');
  lines.push(row(['type', 'predictions', 'hit a labelled span', 'precision']));
  lines.push(row(Array(4).fill('---')));
  for (const [t, c] of Object.entries(accuracy[ours.name]?.perPredictedType ?? {}).sort(
    (a, b) => b[1].pred - a[1].pred,
  )) {
    lines.push(row([t, String(c.pred), String(c.tpPred), f3(c.precision)]));
  }
  // Issue 6 targets: type-agnostic F1 ≥ 0.85, every peer beaten on F1, and at least redact-pii's
  // throughput (judged on the paired ratio, the figure robust to the machine's load swings).
  const ourF1 = accuracy[ours.name]?.overall.agnostic.f1 ?? 0;
  const bestPeer = Math.max(
    ...engines.filter((e) => e !== ours).map((e) => accuracy[e.name]?.overall.agnostic.f1 ?? 0),
  );
  const targets = [
    { name: 'type-agnostic F1 >= 0.85', met: ourF1 >= 0.85, value: ourF1.toFixed(3) },
    { name: 'F1 above every peer', met: ourF1 > bestPeer, value: `${ourF1.toFixed(3)} vs ${bestPeer.toFixed(3)}` },
    {
      name: 'throughput >= redact-pii (paired ratio >= 1)',
      met: speedVsRedactPii >= 1,
      value: speedVsRedactPii.toFixed(2),
    },
  ];
  lines.push('', '## Targets', '');
  for (const t of targets) lines.push(`- ${t.met ? 'met' : 'MISSED'}: ${t.name} (${t.value})`);
  if (targets.some((t) => !t.met)) process.exitCode = 1;
  const report = lines.join('\n');
  console.log(`\n${report}`);

  const result = {
    benchmark: 'detect',
    date: new Date().toISOString(),
    command: 'npm run bench:detect',
    rounds: ROUNDS,
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      platform: `${os.platform()} ${os.release()}`,
    },
    data: { file: DATASET_FILE, texts: samples.length, spans: samples.reduce((n, s) => n + s.spans.length, 0), bytes },
    engines: engines.map((e) => ({
      name: e.name,
      version: e.version,
      config: e.config,
      alignmentFailures: e.alignmentFailures?.() ?? 0,
    })),
    accuracy,
    throughputMBps: mbps,
    speedVsRedactPii,
    targets,
    secondsPerPass: seconds,
    report,
  };
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
  // Keep the committed results file in the repository's format (lint checks it).
  try {
    const biome = path.resolve(here, '../../node_modules/.bin/biome');
    execFileSync(biome, ['format', '--write', resultsFile], { stdio: 'ignore' });
  } catch {
    console.log(
      '(could not run biome format on the results file; run `npx biome format --write bench/results/detect.json`)',
    );
  }
  console.log(`\nraw results: ${path.relative(process.cwd(), resultsFile)}`);
}

await main();
