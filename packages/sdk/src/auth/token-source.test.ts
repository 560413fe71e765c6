import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bytesToBase64Url, utf8 } from '../crypto/base64.js';
import { Log, type Logger, LogLevel } from '../logging/logger.js';
import { CachedTokenSource, StaticTokenSource } from './token-source.js';

/** An unsigned JWT expiring `seconds` from now (the SDK never verifies tokens, it only reads `exp`). */
const jwt = (seconds: number, extra: Record<string, unknown> = {}) =>
  [
    bytesToBase64Url(utf8('{"alg":"ES256","typ":"JWT"}')),
    bytesToBase64Url(utf8(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + seconds, ...extra }))),
    'c2ln',
  ].join('.');

const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
const log = new Log(
  () => LogLevel.WARN,
  () => logger,
);

const MINUTE = 60_000;

describe('CachedTokenSource', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    warnings.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  const source = (mint: () => Promise<string>, marginMs = MINUTE) =>
    new CachedTokenSource(mint, () => marginMs, log, 'test');

  it('reuses a token until the refresh margin before its expiry, then renews it before use', async () => {
    let n = 0;
    const mint = vi.fn(async () => jwt(3600, { n: n++ }));
    const s = source(mint, 5 * MINUTE);
    const first = await s.authorization({});
    vi.advanceTimersByTime(54 * MINUTE);
    expect(await s.authorization({})).toBe(first);
    expect(mint).toHaveBeenCalledTimes(1);
    // 55 minutes in: 5 minutes before the 60-minute expiry, the margin.
    vi.advanceTimersByTime(MINUTE);
    const second = await s.authorization({});
    expect(second).not.toBe(first);
    expect(mint).toHaveBeenCalledTimes(2);
  });

  it('renews an expired token (margin 0: exactly at expiry)', async () => {
    const mint = vi.fn(async () => jwt(600));
    const s = source(mint, 0);
    await s.authorization({});
    vi.advanceTimersByTime(10 * MINUTE - 1);
    await s.authorization({});
    expect(mint).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    await s.authorization({});
    expect(mint).toHaveBeenCalledTimes(2);
  });

  it('caps the margin at half the lifetime, so short-lived tokens are still reused', async () => {
    const mint = vi.fn(async () => jwt(60));
    const s = source(mint, 10 * MINUTE);
    await s.authorization({});
    vi.advanceTimersByTime(29_000);
    await s.authorization({});
    expect(mint).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    await s.authorization({});
    expect(mint).toHaveBeenCalledTimes(2);
  });

  it('shares one renewal among concurrent calls', async () => {
    let release: (token: string) => void = () => {};
    const mint = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const s = source(mint);
    const calls = [s.authorization({}), s.authorization({}), s.authorization({})];
    const token = jwt(3600);
    release(token);
    expect(await Promise.all(calls)).toEqual([token, token, token]);
    expect(mint).toHaveBeenCalledTimes(1);
  });

  it('keeps using a still-valid token when its renewal fails inside the margin, and warns', async () => {
    const good = jwt(3600);
    const mint = vi
      .fn<() => Promise<string>>()
      .mockResolvedValueOnce(good)
      .mockRejectedValue(new Error('token endpoint down'));
    const s = source(mint, 5 * MINUTE);
    await s.authorization({});
    vi.advanceTimersByTime(57 * MINUTE);
    expect(await s.authorization({})).toBe(good);
    expect(warnings).toEqual(['token renewal failed; using the cached token until it expires']);
    vi.advanceTimersByTime(3 * MINUTE);
    await expect(s.authorization({})).rejects.toThrow('token endpoint down');
  });

  it('after invalidate (a 401) gets a new token even though the old one has not expired', async () => {
    const mint = vi.fn(async () => jwt(3600, { r: Math.random() }));
    const s = source(mint);
    const first = await s.authorization({});
    s.invalidate('some other token');
    expect(await s.authorization({})).toBe(first);
    s.invalidate(first);
    expect(await s.authorization({})).not.toBe(first);
    expect(mint).toHaveBeenCalledTimes(2);
  });

  it('keeps an opaque (non-JWT) token until a 401 says otherwise', async () => {
    const mint = vi.fn(async () => 'opaque-token');
    const s = source(mint);
    await s.authorization({});
    vi.advanceTimersByTime(24 * 60 * MINUTE);
    await s.authorization({});
    expect(mint).toHaveBeenCalledTimes(1);
    s.invalidate('opaque-token');
    await s.authorization({});
    expect(mint).toHaveBeenCalledTimes(2);
  });

  it('rejects a token that has already expired, and an empty one', async () => {
    await expect(source(async () => jwt(-10)).authorization({})).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await expect(source(async () => '').authorization({})).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('a caller whose signal aborts stops waiting, without cancelling the renewal others share', async () => {
    let release: (token: string) => void = () => {};
    const mint = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const s = source(mint);
    const controller = new AbortController();
    const impatient = s.authorization({ signal: controller.signal }).catch((e: unknown) => e);
    const patient = s.authorization({});
    controller.abort();
    expect(await impatient).toMatchObject({ code: 'ABORTED' });
    const token = jwt(3600);
    release(token);
    expect(await patient).toBe(token);
  });
});

describe('StaticTokenSource', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('checks the token’s exp before every call', async () => {
    const token = jwt(60);
    const s = new StaticTokenSource(token);
    expect(await s.authorization()).toBe(token);
    vi.advanceTimersByTime(60_000);
    await expect(s.authorization()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', grpcCode: 16 });
    expect(s.renewable).toBe(false);
  });
});
