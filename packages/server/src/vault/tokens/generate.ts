import { DETERMINISTIC_TOKEN_POLICIES, type TokenPolicy } from '../schema/model.js';
import { TokenGenerationError } from './errors.js';
import { luhnFixDigit } from './luhn.js';
import { type RandomSource, randomString } from './random.js';
import { regexGenerator } from './regex-generator.js';

/** Alphabet of {@link RANDOM_TOKEN_LENGTH}-character `RANDOM_TOKEN` tokens and of email local parts. */
export const LOWER_ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';
/** `RANDOM_TOKEN` length: 24 lowercase alphanumerics, about 124 bits. */
export const RANDOM_TOKEN_LENGTH = 24;
/** Shortest random middle of a PRESERVE_RIGHT_4 token. */
export const MIN_RIGHT_4_MIDDLE = 4;
/** Times a generator redraws a token that came out equal to the value itself. */
const DISTINCT_ATTEMPTS = 32;

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

/** Whether equal values get equal tokens under this policy (given equal deterministic random sources). */
export function isDeterministic(policy: TokenPolicy): boolean {
  return DETERMINISTIC_TOKEN_POLICIES.has(policy.type);
}

/** An RFC 4122 version-4-shaped UUID (version nibble 4, variant 10xx) from 16 random bytes: 122 random bits. */
function uuid(random: RandomSource): string {
  const b = random.bytes(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  let hex = '';
  for (const byte of b) hex += (HEX[byte >> 4] as string) + (HEX[byte & 15] as string);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random character of the same kind: digit → digit, a–z → a–z, A–Z → A–Z; anything else unchanged. */
function sameKind(ch: string, random: RandomSource): string {
  if (ch >= '0' && ch <= '9') return DIGITS[random.int(10)] as string;
  if (ch >= 'a' && ch <= 'z') return LOWER[random.int(26)] as string;
  if (ch >= 'A' && ch <= 'Z') return UPPER[random.int(26)] as string;
  return ch;
}

const hasAsciiAlnum = (text: string): boolean => /[0-9A-Za-z]/.test(text);

/**
 * Shape-preserving token: every ASCII digit becomes a random digit, every ASCII letter a random letter of
 * the same case, everything else (punctuation, spaces, non-ASCII) stays where it is.
 */
function shape(value: string, random: RandomSource): string {
  if (!hasAsciiAlnum(value)) {
    throw new TokenGenerationError(
      'a format-preserving token needs a value with at least one ASCII letter or digit, or a format_preserving_regex',
    );
  }
  let out = '';
  for (const ch of value) out += sameKind(ch, random);
  return out;
}

/** Card token (see {@link generateToken}); `undefined` when the value is not card-shaped. */
function leftSixRightFour(value: string, random: RandomSource): string | undefined {
  if (!/^[0-9 -]*$/.test(value)) return undefined;
  const digits = value.replace(/[^0-9]/g, '');
  const n = digits.length;
  if (n < 11) return undefined;
  let middle = '';
  for (let i = 6; i < n - 4; i++) middle += DIGITS[random.int(10)];
  let tokenDigits = digits.slice(0, 6) + middle + digits.slice(n - 4);
  if (n >= 12 && n <= 19) tokenDigits = fixLuhn(tokenDigits, n - 5);
  // Put the digits back between the value's separators.
  let k = 0;
  return value.replace(/[0-9]/g, () => tokenDigits[k++] as string);
}

function fixLuhn(digits: string, index: number): string {
  return digits.slice(0, index) + luhnFixDigit(digits, index) + digits.slice(index + 1);
}

function emailDomain(value: string, random: RandomSource): string | undefined {
  const at = value.lastIndexOf('@');
  if (at < 0) return undefined;
  const localLength = Math.max(1, [...value.slice(0, at)].length);
  return `${randomString(random, LOWER_ALNUM, localLength)}${value.slice(at)}`;
}

function right4(policy: TokenPolicy, value: string, random: RandomSource): string {
  const chars = [...value];
  const prefix = policy.prefix ?? '';
  const separator = policy.separator ?? '';
  // A value of 4 characters or fewer is not kept at all: its "right 4" would be the whole value.
  const suffix = chars.length > 4 ? chars.slice(-4).join('') : chars.map((ch) => sameKind(ch, random)).join('');
  const alphabet = /[A-Za-z]/.test(value) ? LOWER_ALNUM : DIGITS;
  let middleLength = Math.max(MIN_RIGHT_4_MIDDLE, chars.length - 4);
  const parts = (middle: string) => [prefix, middle, suffix].filter((p) => p !== '');
  const natural = parts('x'.repeat(middleLength)).join(separator);
  const naturalLength = [...natural].length;
  if (policy.fixedLength !== undefined && naturalLength < policy.fixedLength) {
    middleLength += policy.fixedLength - naturalLength;
  }
  return parts(randomString(random, alphabet, middleLength)).join(separator);
}

function generateOnce(policy: TokenPolicy, value: string, random: RandomSource): string {
  switch (policy.type) {
    case 'RANDOM_TOKEN':
      return randomString(random, LOWER_ALNUM, RANDOM_TOKEN_LENGTH);
    case 'NON_DETERMINISTIC_UUID':
    case 'DETERMINISTIC_UUID':
    case 'NON_DETERMINISTIC_TRANSIENT_UUID':
      return uuid(random);
    case 'FORMAT_PRESERVING_TOKEN':
    case 'DETERMINISTIC_FPT':
    case 'NON_DETERMINISTIC_FPT':
      return policy.regex !== undefined ? regexGenerator(policy.regex).generate(random) : shape(value, random);
    case 'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4':
      return leftSixRightFour(value, random) ?? shape(value, random);
    case 'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN':
      return emailDomain(value, random) ?? shape(value, random);
    case 'DETERMINISTIC_PRESERVE_RIGHT_4':
    case 'NON_DETERMINISTIC_PRESERVE_RIGHT_4':
      return right4(policy, value, random);
  }
}

/**
 * Generates a token for `value` (its canonical text: strings as they are; numbers, booleans and dates as
 * their JSON text without quotes; DT_EMBEDDED as JSON text) under `policy`, drawing only from `random`.
 * With a {@link deterministicRandom} source the result is a pure function of its key and input.
 *
 * Token shapes:
 * - `RANDOM_TOKEN`: 24 characters of `[0-9a-z]` (about 124 bits).
 * - `NON_DETERMINISTIC_UUID`, `DETERMINISTIC_UUID`, `NON_DETERMINISTIC_TRANSIENT_UUID`: a lowercase
 *   UUID with version 4 and variant 10xx (122 random bits).
 * - `FORMAT_PRESERVING_TOKEN`, `DETERMINISTIC_FPT`, `NON_DETERMINISTIC_FPT`: with `regex`, a non-empty
 *   string the translated regex matches in full (see `regex-generator.ts`; the value plays no part);
 *   without one, the value's shape: each ASCII digit a random digit, each ASCII letter a random letter of
 *   the same case, everything else kept (`"123-45-6789"` → `"ddd-dd-dddd"`).
 * - `DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4`: for a value of ASCII digits, spaces and dashes with at least
 *   11 digits, the first 6 and last 4 digits and every separator stay in place and the digits between
 *   are random; with 12–19 digits the token passes the Luhn check (the last random digit is chosen to
 *   make it so), whether or not the value does. Any other value gets a shape-preserving token.
 * - `DETERMINISTIC_PRESERVE_EMAIL_DOMAIN`: a random `[0-9a-z]` local part as long as the value's (at
 *   least 1 character), then everything from the value's last `@` on, unchanged. A value without `@` gets
 *   a shape-preserving token.
 * - `DETERMINISTIC_PRESERVE_RIGHT_4`, `NON_DETERMINISTIC_PRESERVE_RIGHT_4`: `prefix`, a random middle and
 *   the value's last 4 characters, joined by `separator` (empty parts and their separators are left out):
 *   prefix `"99"`, separator `"_"` → `"99_…_7852"`. The middle is random digits, or random `[0-9a-z]` when
 *   the value has an ASCII letter, as long as the rest of the value (at least 4 characters). `fixedLength`
 *   is a minimum length of the whole token: a shorter token gets a longer middle, so it is exactly
 *   `fixedLength` long; a longer one is left as it is. A value of 4 characters or fewer keeps none of its
 *   characters: its "right 4" are replaced like a shape-preserving token. Lengths count code points.
 *
 * A token never equals its value: a generator that happens to reproduce the value draws again (up to
 * 32 times, which only a regex with a single practical output can exhaust).
 *
 * @throws TokenGenerationError when no token can be made: a shape-preserving token for a value without
 *   ASCII letters or digits, a regex from which no matching string could be generated, or a token that
 *   keeps coming out equal to the value.
 * @throws UnsupportedRegexError when `policy.regex` is not generatable (see `checkGeneratableRegex`).
 */
export function generateToken(policy: TokenPolicy, value: string, random: RandomSource): string {
  for (let attempt = 0; attempt < DISTINCT_ATTEMPTS; attempt++) {
    const token = generateOnce(policy, value, random);
    if (token !== value) return token;
  }
  throw new TokenGenerationError('every token generated for the value was equal to the value');
}
