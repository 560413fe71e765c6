import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PacedOptions {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly bodies: () => string;
  /** Requests per second to send, spread evenly over each second. */
  readonly rate: number;
  readonly seconds: number;
  /** Most requests in flight (keep-alive connections); a request finding them all busy waits its turn. */
  readonly connections: number;
}

export interface PacedResult {
  readonly name: string;
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requests: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;

/**
 * Open-loop load at a fixed rate: requests are sent on a schedule, whether or not earlier ones have been
 * answered, and each request's latency runs from when it was handed to the HTTP client (so time spent
 * waiting for a free connection counts) to the end of its answer, at sub-millisecond resolution.
 *
 * autocannon's own rate limit is not used for latency: it lets every connection send its share of a
 * second as fast as it can at the start of the second and then idle, so its latencies are those of
 * bursts at full load, and its histogram resolution is 1 ms.
 */
export async function paced(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const interval = 1000 / options.rate;
  const total = Math.max(1, Math.floor(options.rate * options.seconds));
  const latencies: number[] = [];
  let failure: Error | undefined;
  let sent = 0;
  let finished = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const done = () => {
      finished++;
      if (finished === total) resolve();
    };
    const send = () => {
      const body = options.bodies();
      const began = performance.now();
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - began);
            if ((response.statusCode ?? 0) >= 300)
              failure ??= new Error(`${options.name}: HTTP ${response.statusCode}`);
            done();
          });
        },
      );
      request.on('error', (err) => {
        failure ??= err;
        done();
      });
      request.end(body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) {
        sent++;
        send();
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  if (failure) throw failure;
  const sorted = latencies.sort((a, b) => a - b);
  const round = (ms: number) => Number(ms.toFixed(2));
  return {
    name: options.name,
    targetRate: Math.round(options.rate),
    achievedRate: Math.round(total / elapsed),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] as number),
    requests: total,
  };
}
