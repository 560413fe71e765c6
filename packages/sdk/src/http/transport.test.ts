import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SkyflowError } from '../errors/skyflow-error.js';
import { Log, type Logger, LogLevel } from '../logging/logger.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry-policy.js';
import { type HttpRequest, send, type TransportSettings } from './transport.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function settings(fetchImpl: typeof fetch, retry: Partial<RetryPolicy> = {}, timeoutMs = 1000): TransportSettings {
  return {
    fetch: fetchImpl,
    timeoutMs,
    retry: { ...DEFAULT_RETRY, ...retry },
    log: new Log(
      () => LogLevel.OFF,
      () => silent,
    ),
    random: () => 0.5,
  };
}

const request = (idempotent: boolean): HttpRequest => ({
  method: 'POST',
  url: 'http://vault.test/v1/vaults/v/detokenize',
  headers: {},
  body: '{}',
  idempotent,
  operation: 'detokenize',
});

const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : '{}', { status, headers: { 'content-type': 'application/json', ...headers } });

/** A fetch that plays answers in turn (a Response, or an Error to throw), recording call times. */
function scripted(...steps: (Response | Error)[]) {
  const calls: number[] = [];
  const fetchImpl = vi.fn(async () => {
    calls.push(Date.now());
    const step = steps.shift();
    if (!step) throw new Error('no more scripted answers');
    if (step instanceof Error) throw step;
    return step;
  });
  return { fetch: fetchImpl as unknown as typeof fetch, calls };
}

/** A fetch that never answers until its signal aborts (a stalled server). */
const stalled = (() =>
  vi.fn(
    (_url: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
  )) as () => typeof fetch;

describe('send', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('retries idempotent requests on 408, 429 and 5xx with exponential backoff', async () => {
    const s = scripted(answer(503), answer(429), answer(200));
    const pending = send(settings(s.fetch, { maxRetries: 3, baseDelayMs: 100 }), request(true));
    await vi.runAllTimersAsync();
    const res = await pending;
    expect(res.status).toBe(200);
    // random() = 0.5 → delay = ¾ of min(max, base × 2^retry): 75 ms, then 150 ms.
    expect(s.calls.map((t) => t - (s.calls[0] as number))).toEqual([0, 75, 225]);
  });

  it('draws each delay from [½, 1] of the exponential ceiling, capped by maxDelayMs', async () => {
    for (const random of [0, 0.999]) {
      const s = scripted(answer(500), answer(500), answer(500), answer(500), answer(200));
      const pending = send(
        { ...settings(s.fetch, { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 300 }), random: () => random },
        request(true),
      );
      await vi.runAllTimersAsync();
      await pending;
      const gaps = s.calls.slice(1).map((t, i) => t - (s.calls[i] as number));
      const ceilings = [100, 200, 300, 300];
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual((ceilings[i] as number) / 2);
        expect(gap).toBeLessThanOrEqual(ceilings[i] as number);
      });
    }
  });

  it('never retries a request that is not idempotent', async () => {
    const s = scripted(answer(503), answer(200));
    const res = await send(settings(s.fetch), request(false));
    expect(res.status).toBe(503);
    expect(s.fetch).toHaveBeenCalledTimes(1);
    const n = scripted(new TypeError('fetch failed'), answer(200));
    await expect(send(settings(n.fetch), request(false))).rejects.toMatchObject({ code: 'NETWORK_ERROR', httpCode: 0 });
    expect(n.fetch).toHaveBeenCalledTimes(1);
  });

  it('does not retry other 4xx answers', async () => {
    for (const status of [400, 401, 403, 404, 409]) {
      const s = scripted(answer(status), answer(200));
      expect((await send(settings(s.fetch), request(true))).status).toBe(status);
      expect(s.fetch).toHaveBeenCalledTimes(1);
    }
  });

  it('gives up after maxRetries and returns the last answer', async () => {
    const s = scripted(answer(502), answer(502), answer(502), answer(200));
    const pending = send(settings(s.fetch, { maxRetries: 2 }), request(true));
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe(502);
    expect(s.fetch).toHaveBeenCalledTimes(3);
  });

  it('retries network errors of idempotent requests, then reports NETWORK_ERROR', async () => {
    const s = scripted(new TypeError('fetch failed'), answer(200));
    const ok = send(settings(s.fetch), request(true));
    await vi.runAllTimersAsync();
    expect((await ok).status).toBe(200);
    const f = scripted(new TypeError('a'), new TypeError('b'), new TypeError('c'));
    const failing = send(settings(f.fetch), request(true)).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await failing).toMatchObject({ code: 'NETWORK_ERROR', httpCode: 0, grpcCode: 14 });
    expect(f.fetch).toHaveBeenCalledTimes(3);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const s = scripted(answer(429, { 'retry-after': '3' }), answer(200));
    const pending = send(settings(s.fetch), request(true));
    await vi.runAllTimersAsync();
    await pending;
    expect((s.calls[1] as number) - (s.calls[0] as number)).toBe(3000);

    const at = new Date(Date.now() + 2000).toUTCString();
    const d = scripted(answer(503, { 'retry-after': at }), answer(200));
    const dated = send(settings(d.fetch), request(true));
    await vi.runAllTimersAsync();
    await dated;
    expect((d.calls[1] as number) - (d.calls[0] as number)).toBeGreaterThanOrEqual(1000);
    expect((d.calls[1] as number) - (d.calls[0] as number)).toBeLessThanOrEqual(2000);
  });

  it('does not wait for a Retry-After longer than maxDelayMs: the answer comes back at once', async () => {
    const s = scripted(answer(429, { 'retry-after': '3600' }), answer(200));
    const res = await send(settings(s.fetch, { maxDelayMs: 10_000 }), request(true));
    expect(res.status).toBe(429);
    expect(s.fetch).toHaveBeenCalledTimes(1);
  });

  it('times out a stalled attempt after timeoutMs, and the per-call timeout overrides the client one', async () => {
    const pending = send(settings(stalled(), { maxRetries: 0 }, 5000), request(true), { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(199);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = (await pending) as SkyflowError;
    expect(error).toBeInstanceOf(SkyflowError);
    expect(error).toMatchObject({ code: 'TIMEOUT', httpCode: 0, grpcCode: 4 });
  });

  it('retries an idempotent attempt that timed out', async () => {
    const fetchImpl = vi
      .fn<typeof fetch>()
      .mockImplementationOnce(stalled())
      .mockImplementationOnce(async () => answer(200));
    const pending = send(settings(fetchImpl, {}, 100), request(true));
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe(200);
    expect(fetchImpl).toHaveBeenCalledTimes(2);
  });

  it('the timeout covers reading the body', async () => {
    // Headers arrive, then the body stalls; like a real fetch, aborting errors the body stream.
    const fetchImpl = vi.fn(async (_u: unknown, init?: RequestInit) => {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"records":'));
          init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { status: 200 });
    }) as unknown as typeof fetch;
    const pending = send(settings(fetchImpl, { maxRetries: 0 }, 100), request(true)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(150);
    expect(await pending).toMatchObject({ code: 'TIMEOUT' });
  });

  it('an AbortSignal cancels an attempt in flight, and a wait between attempts', async () => {
    const controller = new AbortController();
    const inFlight = send(settings(stalled()), request(true), { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('user navigated away'));
    expect(await inFlight).toMatchObject({ code: 'ABORTED', grpcCode: 1 });

    const waiting = new AbortController();
    const s = scripted(answer(503), answer(200));
    const retrying = send(settings(s.fetch, { baseDelayMs: 5000 }), request(true), { signal: waiting.signal }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(100);
    waiting.abort();
    expect(await retrying).toMatchObject({ code: 'ABORTED' });
    expect(s.fetch).toHaveBeenCalledTimes(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const s = scripted(answer(200));
    await expect(send(settings(s.fetch), request(true), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(s.fetch).not.toHaveBeenCalled();
  });

  it('returns the answer with its request ID', async () => {
    const s = scripted(new Response('{"a":1}', { status: 200, headers: { 'x-request-id': 'rid-1' } }));
    expect(await send(settings(s.fetch), request(true))).toMatchObject({
      status: 200,
      text: '{"a":1}',
      requestId: 'rid-1',
    });
  });
});
