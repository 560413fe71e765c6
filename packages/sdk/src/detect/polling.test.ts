import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Skyflow } from '../client/skyflow.js';
import { SkyflowError } from '../errors/skyflow-error.js';
import { LogLevel } from '../logging/logger.js';
import { pollDelays } from './polling.js';

describe('pollDelays', () => {
  it('doubles from 2 s and shortens the last wait so the total is the wait time', () => {
    expect(pollDelays(64)).toEqual([2, 4, 8, 16, 32, 2]);
    expect(pollDelays(62)).toEqual([2, 4, 8, 16, 32]);
    expect(pollDelays(20)).toEqual([2, 4, 8, 6]);
    expect(pollDelays(1)).toEqual([1]);
    expect(pollDelays(0)).toEqual([]);
    for (const total of [0, 1, 5, 17, 33, 64]) {
      expect(pollDelays(total).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });
});

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

/** A vault that accepts a run and then keeps answering with `status` (a stand-in for a slow server). */
function slowVault(status: 'IN_PROGRESS' | 'FAILED') {
  const polls: number[] = [];
  const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(url)).pathname;
    if (init?.method === 'POST' && path === '/v1/detect/deidentify/file/text') return json({ run_id: 'run-1' });
    if (init?.method === 'GET' && path === '/v1/detect/runs/run-1') {
      polls.push(Date.now());
      return json({ status, output: [], message: status === 'FAILED' ? 'the file is not valid UTF-8 text' : '' });
    }
    throw new Error(`unexpected request ${init?.method} ${path}`);
  });
  const client = new Skyflow({
    vaultConfigs: [{ vaultId: 'v1', vaultURL: 'https://vault.test' }],
    skyflowCredentials: { apiKey: 'sky-abcde-0123456789abcdef0123456789abcdef' },
    logLevel: LogLevel.OFF,
    fetch: fetchImpl as unknown as typeof fetch,
  });
  return { client, polls };
}

describe('deidentifyFile polling', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls at once, then after 2, 4, 8, 16, 32 and 2 s; a run still going comes back IN_PROGRESS with its runId', async () => {
    const { client, polls } = slowVault('IN_PROGRESS');
    const start = Date.now();
    const result = client.detect().deidentifyFile(new Uint8Array([104, 105]), { fileName: 'note.txt' });
    await vi.advanceTimersByTimeAsync(70_000);
    const response = await result;
    expect(polls.map((t) => (t - start) / 1000)).toEqual([0, 2, 6, 14, 30, 62, 64]);
    expect(response).toMatchObject({ status: 'IN_PROGRESS', runId: 'run-1', file: undefined });
  });

  it('honours a shorter waitTime, and refuses one over 64 s before sending anything', async () => {
    const { client, polls } = slowVault('IN_PROGRESS');
    const start = Date.now();
    const result = client.detect().deidentifyFile(new Uint8Array([104]), { fileName: 'a.txt', waitTime: 10 });
    await vi.advanceTimersByTimeAsync(20_000);
    await result;
    expect(polls.map((t) => (t - start) / 1000)).toEqual([0, 2, 6, 10]);
    await expect(
      client.detect().deidentifyFile(new Uint8Array([104]), { fileName: 'a.txt', waitTime: 65 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/waitTime/) });
  });

  it('a failed run throws a SkyflowError with the server’s message', async () => {
    const { client } = slowVault('FAILED');
    const result = client.detect().deidentifyFile(new Uint8Array([104]), { fileName: 'a.txt' });
    const caught = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await caught;
    expect(error).toBeInstanceOf(SkyflowError);
    expect(error).toMatchObject({ message: 'the file is not valid UTF-8 text', details: [{ runId: 'run-1' }] });
  });
});
