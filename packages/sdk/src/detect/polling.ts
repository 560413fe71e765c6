/**
 * The waits between polls of a run, in seconds, for a total wait of `waitTime`: the first poll goes at once,
 * then after 2, 4, 8… s, the last wait shortened so the waits add up to exactly `waitTime` (Skyflow's SDKs'
 * schedule). `pollDelays(64)` is `[2, 4, 8, 16, 32, 2]`.
 */
export function pollDelays(waitTime: number): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let next = 2; total < waitTime; next *= 2) {
    const delay = Math.min(next, waitTime - total);
    delays.push(delay);
    total += delay;
  }
  return delays;
}

/** Waits `ms`, or rejects with `onAbort()` as soon as `signal` aborts. */
export function wait(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
