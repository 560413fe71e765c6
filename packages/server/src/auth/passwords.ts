import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing for console users: scrypt (RFC 7914) from `node:crypto`, run on libuv's thread pool
 * so a login never blocks the event loop.
 *
 * A hash is stored as one self-describing string, `scrypt$N$r$p$<salt>$<hash>` (salt and hash in
 * base64url without padding), so the cost can be raised later without breaking stored hashes: they
 * keep verifying with the parameters they name, and {@link needsRehash} tells when to replace one.
 */

/** The parameters new hashes use: N = 2^15, r = 8, p = 1 needs 32 MiB and about 0.1 s of one core. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** Bounds on what a stored hash may ask for, so a corrupted row cannot make a login take minutes or gigabytes. */
const LIMITS = { minLogN: 14, maxLogN: 20, maxR: 16, maxP: 4, maxMemory: 512 * 1024 * 1024 } as const;

/** Shortest password accepted, in characters (Unicode code points after NFKC normalisation). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted: long enough for any passphrase, short enough to bound the work per login. */
export const MAX_PASSWORD_LENGTH = 1024;

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

interface ParsedHash extends ScryptParams {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const HASH_PATTERN = /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{22,88})\$([A-Za-z0-9_-]{43,88})$/;

/**
 * Passwords are compared in NFKC form, so the same password typed on keyboards or systems that
 * compose characters differently still matches (NIST SP 800-63B §5.1.1.2).
 */
function normalize(password: string): Buffer {
  return Buffer.from(password.normalize('NFKC'), 'utf8');
}

/** Memory scrypt needs for these parameters, with room for Node's own accounting. */
function maxmemFor(params: ScryptParams): number {
  return 128 * params.N * params.r * (params.p + 1) + 1024 * 1024;
}

function derive(password: Buffer, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N: params.N, r: params.r, p: params.p, maxmem: maxmemFor(params) }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Base64url that decodes to bytes re-encoding to the very same text (no padding, no stray bits). */
function strictBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** The parts of a stored hash, or undefined when it is not one this module would accept. */
function parseHash(stored: string): ParsedHash | undefined {
  const match = HASH_PATTERN.exec(stored);
  if (!match) return undefined;
  const [, nText, rText, pText, saltText, hashText] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < LIMITS.minLogN || logN > LIMITS.maxLogN) return undefined;
  if (r < 1 || r > LIMITS.maxR || p < 1 || p > LIMITS.maxP) return undefined;
  if (String(N) !== nText || String(r) !== rText || String(p) !== pText) return undefined;
  if (maxmemFor({ N, r, p }) > LIMITS.maxMemory) return undefined;
  const salt = strictBase64url(saltText);
  const hash = strictBase64url(hashText);
  if (!salt || !hash || salt.length < SALT_BYTES || hash.length < HASH_BYTES) return undefined;
  return { N, r, p, salt, hash };
}

/** Hashes a password with a fresh random salt and the current {@link SCRYPT_PARAMS}. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(normalize(password), salt, HASH_BYTES, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * True when `password` matches the stored hash. A stored string that is malformed, names parameters
 * outside the accepted bounds, or was altered in any way verifies nothing (false), never throws.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const derived = await derive(normalize(password), parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(derived, parsed.hash);
}

/** True when a stored hash uses weaker parameters than new hashes do (replace it at the next login). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  return (
    parsed.N < SCRYPT_PARAMS.N ||
    parsed.r < SCRYPT_PARAMS.r ||
    parsed.p < SCRYPT_PARAMS.p ||
    parsed.salt.length < SALT_BYTES ||
    parsed.hash.length < HASH_BYTES
  );
}

const CHARACTER_CLASSES: readonly RegExp[] = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u];

/**
 * What is wrong with a new password under the policy, or undefined when it is acceptable. The policy:
 * {@link MIN_PASSWORD_LENGTH} to {@link MAX_PASSWORD_LENGTH} characters, drawn from at least two of
 * lower-case letters, upper-case letters, digits and everything else (symbols, spaces, letters without
 * case); not the user's own email address. The message never repeats the password.
 */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (!password.isWellFormed()) return 'password must not contain unpaired UTF-16 surrogates';
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  const classes = CHARACTER_CLASSES.filter((c) => c.test(normalized)).length;
  if (classes < 2) {
    return 'password must mix at least two kinds of characters: lower-case letters, upper-case letters, digits, others (symbols, spaces)';
  }
  if (email !== undefined && normalized.toLowerCase() === email.normalize('NFKC').toLowerCase()) {
    return 'password must not be the email address';
  }
  return undefined;
}
