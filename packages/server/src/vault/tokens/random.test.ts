import { createCipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateToken } from './generate.js';
import {
  cryptoRandom,
  deterministicInput,
  deterministicRandom,
  MIN_DETERMINISTIC_KEY_BYTES,
  type RandomSource,
  randomString,
} from './random.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const keyArb = fc.uint8Array({ minLength: MIN_DETERMINISTIC_KEY_BYTES, maxLength: 64 });
const sources: [string, () => RandomSource][] = [
  ['cryptoRandom', cryptoRandom],
  ['deterministicRandom', () => deterministicRandom(KEY, deterministicInput('seed'))],
];

describe('deterministicRandom', () => {
  it('is pinned: HMAC-SHA256 seed with the domain label, then the AES-256-CTR keystream', () => {
    const input = deterministicInput('4111111111111111');
    // Pinned: changing the derivation would change every deterministic token already handed out.
    expect(hex(deterministicRandom(KEY, input).bytes(48))).toBe(
      'cd5c28c77d5c877b1cceb7e09603e51b9a02add18f81de113d24d010f23ec7cbdf4da0a3a88ee1ee3d8e3851fc4dbb99',
    );
    // The same derivation written out independently.
    const seed = createHmac('sha256', KEY).update('strongroom/token-random/v1\0').update(input).digest();
    const stream = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16)).update(Buffer.alloc(48));
    expect(hex(deterministicRandom(KEY, input).bytes(48))).toBe(stream.toString('hex'));
    expect(generateToken({ type: 'DETERMINISTIC_UUID' }, '4111111111111111', deterministicRandom(KEY, input))).toBe(
      'cd5c28c7-7d5c-477b-9cce-b7e09603e51b',
    );
  });

  it('never equals a plain HMAC of the input under the same key (domain separation from blind indexes)', () => {
    const input = deterministicInput('x');
    expect(hex(deterministicRandom(KEY, input).bytes(32))).not.toBe(
      createHmac('sha256', KEY).update(input).digest('hex'),
    );
  });

  it('is a pure function of (key, input), however the stream is read', () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 6 }),
        (key, input, chunks) => {
          const total = chunks.reduce((a, b) => a + b, 0);
          const whole = deterministicRandom(key, input).bytes(total);
          const source = deterministicRandom(key, input);
          const pieces = Buffer.concat(chunks.map((n) => source.bytes(n)));
          expect(hex(pieces)).toBe(hex(whole));
        },
      ),
    );
  });

  it('gives unrelated streams for different keys or different inputs', () => {
    fc.assert(
      fc.property(
        keyArb,
        keyArb,
        fc.uint8Array({ maxLength: 32 }),
        fc.uint8Array({ maxLength: 32 }),
        (k1, k2, a, b) => {
          fc.pre(hex(k1) !== hex(k2) && hex(a) !== hex(b));
          const base = hex(deterministicRandom(k1, a).bytes(32));
          expect(hex(deterministicRandom(k2, a).bytes(32))).not.toBe(base);
          expect(hex(deterministicRandom(k1, b).bytes(32))).not.toBe(base);
        },
      ),
    );
  });

  it('refuses keys shorter than 16 bytes', () => {
    expect(() => deterministicRandom(new Uint8Array(15), new Uint8Array())).toThrow(RangeError);
    expect(() => deterministicRandom(new Uint8Array(16), new Uint8Array())).not.toThrow();
  });
});

describe('deterministicInput', () => {
  it('encodes (value, attempt) unambiguously', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(1000), fc.string(), fc.nat(1000), (v1, a1, v2, a2) => {
        fc.pre(v1 !== v2 || a1 !== a2);
        expect(hex(deterministicInput(v1, a1))).not.toBe(hex(deterministicInput(v2, a2)));
      }),
    );
    expect(hex(deterministicInput('ab', 1))).toBe('000000016162');
    expect(hex(deterministicInput('ab'))).toBe('000000006162');
  });

  it('rejects attempts outside 0..2^32-1', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => deterministicInput('v', bad)).toThrow(RangeError);
  });
});

describe.each(sources)('%s', (_, make) => {
  it('int(n) stays in [0, n) for every n from 1 to 2^32', () => {
    const random = make();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 }), (n) => {
        const x = random.int(n);
        expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      }),
    );
    expect(random.int(1)).toBe(0);
  });

  it('int(n) rejects bounds that are not integers from 1 to 2^32', () => {
    const random = make();
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => random.int(bad)).toThrow(RangeError);
    }
    expect(() => random.bytes(-1)).toThrow(RangeError);
    expect(random.bytes(0)).toHaveLength(0);
  });

  it('int(n) is unbiased where plain modulo would not be (n = 3·2^30)', () => {
    // u32 % n would land below 2^30 half the time; uniform over [0, n) it does a third of the time.
    const random = make();
    const n = 3 * 2 ** 30;
    let low = 0;
    const draws = 6000;
    for (let i = 0; i < draws; i++) if (random.int(n) < 2 ** 30) low += 1;
    expect(low / draws).toBeGreaterThan(0.3);
    expect(low / draws).toBeLessThan(0.37);
  });

  it('int(n) spreads evenly over small ranges', () => {
    const random = make();
    const counts = new Array<number>(7).fill(0);
    const draws = 14_000;
    for (let i = 0; i < draws; i++) {
      const x = random.int(7);
      counts[x] = (counts[x] ?? 0) + 1;
    }
    const expected = draws / 7;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(35); // df = 6; p ≈ 3e-6
  });

  it('randomString draws only from the alphabet, every character eventually', () => {
    const random = make();
    const s = randomString(random, 'xyz', 300);
    expect(s).toMatch(/^[xyz]{300}$/);
    expect(new Set(s).size).toBe(3);
  });
});

describe('cryptoRandom', () => {
  it('gives different bytes from different sources and successive calls', () => {
    const a = cryptoRandom();
    const b = cryptoRandom();
    const first = hex(a.bytes(16));
    expect(hex(a.bytes(16))).not.toBe(first);
    expect(hex(b.bytes(16))).not.toBe(first);
  });
});
