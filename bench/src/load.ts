import autocannon from 'autocannon';

export interface LoadResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Server process CPU time (user + system) per request, when the server's CPU can be read. */
  readonly cpuMicrosPerRequest: number;
}

export interface LoadOptions {
  readonly name: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  /** One body for every request… */
  readonly body?: string;
  /** …or a fresh body per request (e.g. tokens drawn at random), built by the load generator. */
  readonly bodies?: () => string;
  readonly seconds: number;
  readonly connections: number;
  /** Reads the server's cumulative CPU time in milliseconds. */
  readonly cpuOf?: () => number;
}

/** One autocannon run; any non-2xx answer or socket error makes the run invalid. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const cpuBefore = options.cpuOf?.() ?? 0;
  const method = options.method ?? 'GET';
  const headers = options.headers ?? {};
  const bodies = options.bodies;
  const result = await autocannon({
    url: options.url,
    method,
    headers,
    ...(options.body !== undefined && { body: options.body }),
    // autocannon rebuilds a request whose setupRequest is a function before every send.
    ...(bodies && { requests: [{ method, headers, setupRequest: (request) => ({ ...request, body: bodies() }) }] }),
    duration: options.seconds,
    connections: options.connections,
    pipelining: 1,
  });
  const run: LoadResult = {
    name: options.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMicrosPerRequest: options.cpuOf
      ? ((options.cpuOf() - cpuBefore) * 1000) / Math.max(1, result.requests.total)
      : 0,
  };
  if (run.non2xx > 0 || run.errors > 0) {
    throw new Error(`${options.name}: ${run.non2xx} non-2xx responses and ${run.errors} errors; the run is invalid`);
  }
  return run;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export const geometricMean = (values: readonly number[]): number =>
  Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
