/**
 * Times one engine in its own worker thread, so that its heap, garbage collection and JIT state are
 * its own: in one shared heap an engine that allocates heavily (openredaction) makes whoever runs next
 * pay for its garbage collector work. The main thread sends chunk indices; the worker answers with the
 * seconds the engine's redaction call took over that chunk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ENGINE_FACTORIES } from './engines.js';

interface Init {
  engine: string;
  chunks: string[][];
}

const { engine: name, chunks } = workerData as Init;
const factory = ENGINE_FACTORIES[name];
if (!factory) throw new Error(`unknown engine ${name}`);
const engine = factory();

async function pass(texts: readonly string[]): Promise<number> {
  const t0 = performance.now();
  for (const t of texts) {
    const r = engine.redact(t);
    if (r instanceof Promise) await r;
  }
  return (performance.now() - t0) / 1000;
}

// Warm up (JIT, caches) on two passes over the whole data set before reporting ready; engines with
// more code need more calls to reach their optimised tiers, and one pass is not always enough.
for (let r = 0; r < 2; r++) for (const chunk of chunks) await pass(chunk);
parentPort?.postMessage({ ready: true });
parentPort?.on('message', async (msg: { chunk: number } | { stop: true }) => {
  if ('stop' in msg) {
    process.exit(0);
  }
  const seconds = await pass(chunks[msg.chunk] ?? []);
  parentPort?.postMessage({ seconds });
});
