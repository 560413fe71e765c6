/**
 * Generates strings that a `format_preserving_regex` matches in full.
 *
 * The schema's RE2-style pattern is first translated by `compilePattern` (so `\A`, `\z`, `(?P<name>…)`,
 * POSIX classes and leading flags work as in Skyflow), then parsed here into a small tree and sampled:
 *
 * - literals and escapes (`\t`, `\n`, `\x41`, `\u0041`, `\.`, …), `.`;
 * - character classes with ranges, negated classes, and `\d \w \s \D \W \S` inside or outside them;
 * - groups (capturing, non-capturing, named) and alternation (each branch equally likely);
 * - quantifiers `? * + {n} {n,} {n,m}` (greedy or lazy): the count is uniform over the allowed range,
 *   and an unbounded repetition is capped at {@link UNBOUNDED_EXTRA} more than its minimum;
 * - the anchors `^ $ \b \B` and the translations of `\A` and `\z`, which produce nothing and are honoured
 *   by checking every candidate against the real `RegExp`.
 *
 * Characters are drawn from printable ASCII (0x20–0x7E) wherever the pattern allows "any" character:
 * `.`, negated classes and `\D \W \S` produce printable ASCII only, and `\s` produces a space. A class
 * written out explicitly (`[à-ÿ]`) is sampled as written, less control characters and surrogates when
 * anything else remains. Lookarounds, backreferences and inline modifiers are rejected.
 *
 * Every candidate is verified with the real `RegExp`, anchored at both ends, and regenerated (up to
 * {@link GENERATION_ATTEMPTS} times) when it does not match or is empty.
 */
import { compilePattern, PatternError } from '../schema/regex.js';
import { compileSafe } from '../schema/safe-pattern.js';
import { TokenGenerationError } from './errors.js';
import { deterministicRandom, type RandomSource } from './random.js';

/** How many more repetitions than the minimum `*`, `+` and `{n,}` may produce. */
export const UNBOUNDED_EXTRA = 8;
/** Longest token a pattern may produce (after capping unbounded repetition), in UTF-16 code units. */
export const MAX_GENERATED_LENGTH = 256;
/** Candidates tried before {@link RegexGenerator.generate} gives up. */
export const GENERATION_ATTEMPTS = 100;

/** Why a pattern cannot be used for generation; the message is the reason. */
export class UnsupportedRegexError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnsupportedRegexError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Character sets: sorted, disjoint, non-adjacent inclusive ranges of UTF-16 code units.

type Range = readonly [number, number];
type CharSet = readonly Range[];

function normalise(ranges: Range[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

const union = (...sets: CharSet[]): CharSet => normalise(sets.flat());

function subtract(from: CharSet, remove: CharSet): CharSet {
  const out: Range[] = [];
  for (const [lo, hi] of from) {
    let start = lo;
    for (const [rlo, rhi] of remove) {
      if (rhi < start || rlo > hi) continue;
      if (rlo > start) out.push([start, rlo - 1]);
      start = Math.max(start, rhi + 1);
      if (start > hi) break;
    }
    if (start <= hi) out.push([start, hi]);
  }
  return out;
}

const sizeOf = (set: CharSet): number => set.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);

function nth(set: CharSet, index: number): number {
  let i = index;
  for (const [lo, hi] of set) {
    if (i <= hi - lo) return lo + i;
    i -= hi - lo + 1;
  }
  throw new RangeError('index outside the set');
}

const single = (c: number): CharSet => [[c, c]];

const PRINTABLE: CharSet = [[0x20, 0x7e]];
/** Control characters and surrogates, left out of explicit classes when anything else remains. */
const UNWANTED: CharSet = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0xd800, 0xdfff],
];
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = normalise([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
/** `\s` generates a space only; the rest of `\s` within printable ASCII is empty, so negations stay exact. */
const SPACE: CharSet = single(0x20);

const CLASS_ESCAPES: Readonly<Record<string, CharSet>> = {
  d: DIGIT,
  D: subtract(PRINTABLE, DIGIT),
  w: WORD,
  W: subtract(PRINTABLE, WORD),
  s: SPACE,
  S: subtract(PRINTABLE, SPACE),
};

/** Adds the other case of every ASCII letter in the set (what a negated class excludes under `i`). */
function withAsciiCaseVariants(set: CharSet): CharSet {
  const extra: Range[] = [];
  for (const [lo, hi] of set) {
    for (const [a, b, shift] of [
      [0x41, 0x5a, 0x20],
      [0x61, 0x7a, -0x20],
    ] as const) {
      const l = Math.max(lo, a);
      const h = Math.min(hi, b);
      if (l <= h) extra.push([l + shift, h + shift]);
    }
  }
  return union(set, extra);
}

// ---------------------------------------------------------------------------------------------------
// Pattern tree and parser (JavaScript syntax without the `u` flag, as `compilePattern` produces).

type Node =
  | { readonly kind: 'chars'; readonly set: CharSet; readonly size: number }
  | { readonly kind: 'seq'; readonly items: readonly Node[] }
  | { readonly kind: 'alt'; readonly options: readonly Node[] }
  | { readonly kind: 'repeat'; readonly node: Node; readonly min: number; readonly max: number }
  | { readonly kind: 'assert' };

const chars = (set: CharSet): Node => ({ kind: 'chars', set, size: sizeOf(set) });
const ASSERT: Node = { kind: 'assert' };

/** What `compilePattern` writes for RE2's `\A` and `\z`. */
const START_OF_INPUT = '(?<![\\s\\S])';
const END_OF_INPUT = '(?![\\s\\S])';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

const QUANTIFIER_BRACES = /^\{([0-9]+)(,([0-9]*))?\}/;

/** Repetition counts beyond this are refused before any length arithmetic. */
const MAX_REPEAT_BOUND = 10_000;

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.src.length) throw new UnsupportedRegexError(`unexpected ")" at offset ${this.pos}`);
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.pos += 1;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') break;
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'seq', items };
  }

  private quantified(node: Node): Node {
    let min: number;
    let max: number;
    const ch = this.peek();
    if (ch === '*' || ch === '+' || ch === '?') {
      this.pos += 1;
      min = ch === '+' ? 1 : 0;
      max = ch === '?' ? 1 : min + UNBOUNDED_EXTRA;
    } else if (ch === '{') {
      const m = QUANTIFIER_BRACES.exec(this.src.slice(this.pos));
      if (!m) return node; // Annex B: a "{" that is not a quantifier is a literal, read by the next atom().
      this.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? min + UNBOUNDED_EXTRA : Number(m[3]);
      if (min > MAX_REPEAT_BOUND || max > MAX_REPEAT_BOUND) {
        throw new UnsupportedRegexError(`a repetition count above ${MAX_REPEAT_BOUND} cannot be generated`);
      }
    } else {
      return node;
    }
    if (this.peek() === '?') this.pos += 1; // lazy: same strings, so same generation
    return this.quantified({ kind: 'repeat', node, min, max });
  }

  private atom(): Node {
    const ch = this.peek() as string;
    switch (ch) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '.':
        this.pos += 1;
        return chars(PRINTABLE);
      case '^':
      case '$':
        this.pos += 1;
        return ASSERT;
      case '\\':
        return this.escapeAtom();
      case '*':
      case '+':
      case '?':
        throw new UnsupportedRegexError('nothing to repeat');
      case '{':
        if (QUANTIFIER_BRACES.test(this.src.slice(this.pos))) throw new UnsupportedRegexError('nothing to repeat');
        this.pos += 1;
        return chars(single(0x7b));
      default:
        this.pos += 1;
        return chars(single(ch.charCodeAt(0)));
    }
  }

  private group(): Node {
    const rest = this.src.slice(this.pos);
    if (rest.startsWith(START_OF_INPUT)) {
      this.pos += START_OF_INPUT.length;
      return ASSERT;
    }
    if (rest.startsWith(END_OF_INPUT)) {
      this.pos += END_OF_INPUT.length;
      return ASSERT;
    }
    if (/^\(\?(=|!|<=|<!)/.test(rest)) throw new UnsupportedRegexError('lookaround assertions are not supported');
    if (rest.startsWith('(?:')) this.pos += 3;
    else if (rest.startsWith('(?<')) {
      const m = /^\(\?<([^>]*)>/.exec(rest);
      if (!m) throw new UnsupportedRegexError('malformed named group');
      this.pos += m[0].length;
    } else if (rest.startsWith('(?')) throw new UnsupportedRegexError('inline group modifiers are not supported');
    else this.pos += 1;
    const node = this.alternation();
    if (this.peek() !== ')') throw new UnsupportedRegexError('unterminated group');
    this.pos += 1;
    return node;
  }

  /** `\…` outside a class. */
  private escapeAtom(): Node {
    const next = this.peek(1);
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return ASSERT;
    }
    const escaped = this.escape(false);
    return chars(escaped);
  }

  /** Reads `\…` at the current position (inside or outside a class) as a set of characters. */
  private escape(inClass: boolean): CharSet {
    const next = this.peek(1);
    if (next === undefined) throw new UnsupportedRegexError('trailing backslash');
    this.pos += 2;
    const classEscape = CLASS_ESCAPES[next];
    if (classEscape) return classEscape;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) return single(simple);
    if (inClass && next === 'b') return single(0x08);
    if (next === '0') {
      if (/[0-9]/.test(this.peek() ?? '')) throw new UnsupportedRegexError('octal escapes are not supported');
      return single(0);
    }
    if (/[1-9]/.test(next)) throw new UnsupportedRegexError('backreferences are not supported');
    if (next === 'k') throw new UnsupportedRegexError('backreferences are not supported');
    if (next === 'x' || next === 'u') {
      const digits = next === 'x' ? 2 : 4;
      const hex = this.src.slice(this.pos, this.pos + digits);
      if (hex.length === digits && /^[0-9A-Fa-f]+$/.test(hex)) {
        this.pos += digits;
        return single(Number.parseInt(hex, 16));
      }
      return single(next.charCodeAt(0)); // Annex B: an incomplete \x or \u is the letter itself
    }
    if (next === 'c') {
      const letter = this.peek();
      if (letter !== undefined && /[A-Za-z]/.test(letter)) {
        this.pos += 1;
        return single(letter.charCodeAt(0) % 32);
      }
      throw new UnsupportedRegexError('unsupported escape \\c');
    }
    return single(next.charCodeAt(0));
  }

  private characterClass(): Node {
    this.pos += 1;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos += 1;
    }
    const parts: CharSet[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new UnsupportedRegexError('unterminated character class');
      if (ch === ']') {
        this.pos += 1;
        break;
      }
      const left = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos += 1;
        const right = this.classAtom();
        const lo = left.length === 1 && left[0]?.[0] === left[0]?.[1] ? left[0]?.[0] : undefined;
        const hi = right.length === 1 && right[0]?.[0] === right[0]?.[1] ? right[0]?.[0] : undefined;
        if (lo !== undefined && hi !== undefined) {
          if (lo > hi) throw new UnsupportedRegexError('range out of order in character class');
          parts.push([[lo, hi]]);
        } else {
          parts.push(left, single(0x2d), right); // Annex B: a class escape next to "-" makes "-" a literal
        }
      } else {
        parts.push(left);
      }
    }
    const set = union(...parts);
    if (negated) return chars(subtract(PRINTABLE, this.ignoreCase ? withAsciiCaseVariants(set) : set));
    const clean = subtract(set, UNWANTED);
    return chars(clean.length > 0 ? clean : set);
  }

  private classAtom(): CharSet {
    if (this.peek() === '\\') return this.escape(true);
    const ch = this.peek() as string;
    this.pos += 1;
    return single(ch.charCodeAt(0));
  }
}

// ---------------------------------------------------------------------------------------------------
// Generation.

function maxLength(node: Node): number {
  switch (node.kind) {
    case 'chars':
      return 1;
    case 'seq':
      return node.items.reduce((n, item) => n + maxLength(item), 0);
    case 'alt':
      return Math.max(...node.options.map(maxLength));
    case 'repeat':
      return node.max * maxLength(node.node);
    case 'assert':
      return 0;
  }
}

/** Whether the tree can produce only one string (ignoring alternations whose branches coincide). */
function isConstant(node: Node): boolean {
  switch (node.kind) {
    case 'chars':
      return node.size === 1;
    case 'seq':
      return node.items.every(isConstant);
    case 'alt':
      return false;
    case 'repeat':
      return maxLength(node.node) === 0 || (node.min === node.max && isConstant(node.node));
    case 'assert':
      return true;
  }
}

/** Appends one random string of the tree to `out`; false when it reached a class that matches nothing. */
function emit(node: Node, random: RandomSource, out: string[]): boolean {
  switch (node.kind) {
    case 'chars':
      if (node.size === 0) return false;
      out.push(String.fromCharCode(nth(node.set, random.int(node.size))));
      return true;
    case 'seq':
      return node.items.every((item) => emit(item, random, out));
    case 'alt':
      return emit(node.options[random.int(node.options.length)] as Node, random, out);
    case 'repeat': {
      const count = node.min + random.int(node.max - node.min + 1);
      for (let i = 0; i < count; i++) if (!emit(node.node, random, out)) return false;
      return true;
    }
    case 'assert':
      return true;
  }
}

/** A compiled `format_preserving_regex`: generates tokens and checks strings against it. */
export interface RegexGenerator {
  /** The schema's pattern as written. */
  readonly source: string;
  /**
   * A non-empty string the pattern matches in full, drawn from `random`.
   *
   * @throws TokenGenerationError when {@link GENERATION_ATTEMPTS} candidates all fail.
   */
  generate(random: RandomSource): string;
  /** Whether the pattern (translated like the schema's other patterns) matches all of `text`. */
  matches(text: string): boolean;
}

/**
 * Whether a schema pattern (translated by `compilePattern`) matches all of `text`; works for any valid
 * pattern, generatable or not.
 *
 * @throws PatternError when the pattern is not valid.
 */
export function matchesInFull(source: string, text: string): boolean {
  try {
    return regexGenerator(source).matches(text);
  } catch (err) {
    if (!(err instanceof UnsupportedRegexError)) throw err;
    return compileSafe(source).fullMatch(text);
  }
}

function build(source: string): RegexGenerator {
  let compiled: { source: string; flags: string };
  try {
    compiled = compilePattern(source);
  } catch (err) {
    if (err instanceof PatternError) throw new UnsupportedRegexError(`not a valid regular expression: ${err.message}`);
    throw err;
  }
  const tree = new Parser(compiled.source, compiled.flags.includes('i')).parse();
  const longest = maxLength(tree);
  if (longest === 0) throw new UnsupportedRegexError('the expression matches only the empty string');
  if (longest > MAX_GENERATED_LENGTH) {
    throw new UnsupportedRegexError(
      `the expression can produce tokens longer than ${MAX_GENERATED_LENGTH} characters; bound its repetitions`,
    );
  }
  if (isConstant(tree)) {
    throw new UnsupportedRegexError('the expression matches only one string, so every value would get the same token');
  }
  // Candidates and supplied tokens are checked with RE2 semantics (linear time): a schema pattern must
  // never run on the backtracking engine against input a client controls.
  const safe = compileSafe(source);
  return {
    source,
    generate(random) {
      for (let attempt = 0; attempt < GENERATION_ATTEMPTS; attempt++) {
        const out: string[] = [];
        if (!emit(tree, random, out)) continue;
        const candidate = out.join('');
        if (candidate !== '' && safe.fullMatch(candidate)) return candidate;
      }
      throw new TokenGenerationError('could not generate a token that matches the format_preserving_regex');
    },
    matches: (text) => safe.fullMatch(text),
  };
}

const CACHE_LIMIT = 256;
const cache = new Map<string, RegexGenerator | UnsupportedRegexError>();

/**
 * The generator for a schema pattern (cached by source).
 *
 * @throws UnsupportedRegexError when the pattern is invalid or outside the generatable subset.
 */
export function regexGenerator(source: string): RegexGenerator {
  let entry = cache.get(source);
  if (entry === undefined) {
    try {
      entry = build(source);
    } catch (err) {
      if (!(err instanceof UnsupportedRegexError)) throw err;
      entry = err;
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(source); // re-insert below: least recently used first
  }
  cache.set(source, entry);
  if (entry instanceof UnsupportedRegexError) throw new UnsupportedRegexError(entry.message);
  return entry;
}

/** Fixed key for the trial generations of {@link checkGeneratableRegex}, so that the check is reproducible. */
const TRIAL_KEY = new Uint8Array(32).fill(0x5a);
const TRIALS = 8;

/**
 * Whether tokens can be generated from a `format_preserving_regex` (run at schema validation time). The
 * pattern must be valid, inside the supported subset, produce at most {@link MAX_GENERATED_LENGTH}
 * characters and more than one string, and {@link TRIALS} reproducible trial generations must succeed.
 */
export function checkGeneratableRegex(source: string): { ok: true } | { ok: false; reason: string } {
  let generator: RegexGenerator;
  try {
    generator = regexGenerator(source);
  } catch (err) {
    if (err instanceof UnsupportedRegexError) return { ok: false, reason: err.message };
    throw err;
  }
  for (let i = 0; i < TRIALS; i++) {
    try {
      generator.generate(deterministicRandom(TRIAL_KEY, Uint8Array.of(i)));
    } catch (err) {
      if (!(err instanceof TokenGenerationError)) throw err;
      return { ok: false, reason: 'no string matching the expression could be generated' };
    }
  }
  return { ok: true };
}
