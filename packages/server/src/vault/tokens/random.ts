import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * A source of randomness for token generators: cryptographic ({@link cryptoRandom}) for
 * non-deterministic tokens, a keyed deterministic stream ({@link deterministicRandom}) for deterministic
 * ones. Generators draw only through this interface, so a deterministic source makes them pure.
 */
export interface RandomSource {
  /** A uniformly distributed integer in `[0, maxExclusive)`; `maxExclusive` is an integer from 1 to 2^32. */
  int(maxExclusive: number): number;
  /** `n` uniformly random bytes. */
  bytes(n: number): Uint8Array;
}

const TWO_32 = 2 ** 32;

/**
 * Domain-separation label for the deterministic stream's seed. It keeps the seed distinct from any other
 * HMAC computed under the same key (a blind index is `HMAC(key, value)`; a seed never is).
 */
const SEED_LABEL = Buffer.from('strongroom/token-random/v1\0', 'utf8');

/** Shortest key {@link deterministicRandom} accepts, in bytes. */
export const MIN_DETERMINISTIC_KEY_BYTES = 16;

/** Refills in blocks of this many bytes. */
const BLOCK = 256;

function checkBound(maxExclusive: number): void {
  if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_32) {
    throw new RangeError(`maxExclusive must be an integer from 1 to 2^32, got ${maxExclusive}`);
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`byte count must be a non-negative integer, got ${n}`);
}

/** A {@link RandomSource} over a byte stream, with unbiased `int()` by rejection sampling on 32-bit draws. */
class StreamRandom implements RandomSource {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly refill: () => Buffer) {}

  bytes(n: number): Uint8Array {
    checkCount(n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.offset >= this.buffer.length) {
        this.buffer = this.refill();
        this.offset = 0;
      }
      const take = Math.min(n - filled, this.buffer.length - this.offset);
      out.set(this.buffer.subarray(this.offset, this.offset + take), filled);
      this.offset += take;
      filled += take;
    }
    return out;
  }

  int(maxExclusive: number): number {
    checkBound(maxExclusive);
    if (maxExclusive === 1) return 0;
    // Accept only draws below the largest multiple of maxExclusive that fits in 32 bits, so that every
    // residue is equally likely; at most half the draws are rejected, on average far fewer.
    const limit = TWO_32 - (TWO_32 % maxExclusive);
    for (;;) {
      const b = this.bytes(4);
      const draw =
        ((b[0] as number) * 2 ** 24 + ((b[1] as number) << 16) + ((b[2] as number) << 8) + (b[3] as number)) >>> 0;
      if (draw < limit) return draw % maxExclusive;
    }
  }
}

/** Cryptographically secure randomness from `node:crypto` (for non-deterministic tokens). */
export function cryptoRandom(): RandomSource {
  return new StreamRandom(() => randomBytes(BLOCK));
}

/**
 * A deterministic random stream, a pure function of `(key, input)`: the seed is
 * `HMAC-SHA256(key, "strongroom/token-random/v1\0" ‖ input)` and the stream is the AES-256-CTR keystream
 * under that seed with a zero counter block. Equal `(key, input)` give equal streams; without the key the
 * stream is indistinguishable from random, and different keys or inputs give unrelated streams.
 *
 * The key should be private to the column (or column group) whose tokens it makes, e.g. from
 * `Keyring.deriveIndexKey(['deterministic-token', …])`. `input` should encode the value and the attempt
 * number unambiguously: use {@link deterministicInput}.
 *
 * Changing this derivation changes every deterministic token; a known-answer test pins it.
 *
 * @throws RangeError when the key is shorter than {@link MIN_DETERMINISTIC_KEY_BYTES}.
 */
export function deterministicRandom(key: Uint8Array, input: Uint8Array): RandomSource {
  if (key.length < MIN_DETERMINISTIC_KEY_BYTES) {
    throw new RangeError(`the deterministic token key must be at least ${MIN_DETERMINISTIC_KEY_BYTES} bytes`);
  }
  const seed = createHmac('sha256', key).update(SEED_LABEL).update(input).digest();
  const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  const zeros = Buffer.alloc(BLOCK);
  return new StreamRandom(() => cipher.update(zeros));
}

/**
 * The `input` for {@link deterministicRandom} for a canonical value and a collision-retry attempt
 * (0 for the first try): a 4-byte big-endian attempt number followed by the value's UTF-8 bytes. The
 * fixed-width prefix keeps every `(value, attempt)` pair distinct.
 */
export function deterministicInput(value: string, attempt = 0): Uint8Array {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= TWO_32) {
    throw new RangeError(`attempt must be an integer from 0 to 2^32 - 1, got ${attempt}`);
  }
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(attempt, 0);
  return Buffer.concat([prefix, Buffer.from(value, 'utf8')]);
}

/** A uniformly random string of `length` characters from `alphabet` (at most 2^32 distinct characters). */
export function randomString(random: RandomSource, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(alphabet.length)];
  return out;
}
