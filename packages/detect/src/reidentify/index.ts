import { type DetectableType, isEntityType, placeholderStem, SUBTYPES } from '../entity-types.js';

/** §6.3 `format`: which entity types come back redacted, masked or in plain text. */
export interface ReidentifyFormat {
  redacted?: readonly string[] | null;
  masked?: readonly string[] | null;
  plaintext?: readonly string[] | null;
}

/** The options of a §6.3/§6.6 request: everything but the text or file; `vault_id` and unknown fields are ignored. */
export interface ReidentifyRequestOptions {
  format?: ReidentifyFormat | null;
  [other: string]: unknown;
}

/** The §6.3 request body as received. */
export interface ReidentifyStringRequest extends ReidentifyRequestOptions {
  text: string;
}

/** The §6.3 response body. */
export interface ReidentifyStringResponse {
  text: string;
}

export type Redaction = 'plaintext' | 'masked' | 'redacted';

/** A vault token found in text, to be turned back into its value. */
export interface DetokenizeItem {
  token: string;
  entityType: DetectableType;
  /** `plaintext` or `masked`; redacted entities are never looked up. */
  redaction: 'plaintext' | 'masked';
}

/**
 * Looks tokens up in the vault and returns, per item and in order, the text to put back: the value, or
 * its masked form when `redaction` is `masked` (the server applies the vault's masking and access
 * policy). `null`/`undefined` leaves the token in the text (unknown token, or access denied).
 */
export type VaultDetokenizer = (items: readonly DetokenizeItem[]) => Promise<ReadonlyArray<string | null | undefined>>;

/** Hooks the caller plugs into re-identification. */
export interface ReidentifyHooks {
  detokenize: VaultDetokenizer;
}

/** A placeholder written by de-identification with a vault token: `[NAME_5f0c…]`, `[EMAIL_ADDRESS_a1b2]`. */
const PLACEHOLDER = /\[([A-Z][A-Z_]*?)_([A-Za-z0-9-]+)\]/g;

/** A vault-token placeholder found in text. */
export interface FoundToken {
  start: number;
  end: number;
  entityType: DetectableType;
  token: string;
}

/**
 * Finds `[ENTITY_TYPE_token]` placeholders. Because a token never contains `_`, the last underscore
 * separates the entity type from the token; the type must be a §6.9 type.
 */
export function findVaultTokens(text: string): FoundToken[] {
  const out: FoundToken[] = [];
  for (const m of text.matchAll(new RegExp(PLACEHOLDER.source, 'g'))) {
    // The lazy type group stops at the first "_" that leaves a valid token; widen it while the type
    // is not a known one ("EMAIL" → "EMAIL_ADDRESS").
    const inner = m[0].slice(1, -1);
    let cut = inner.lastIndexOf('_');
    let type = inner.slice(0, cut).toLowerCase();
    while (!isEntityType(type) && cut > 0) {
      cut = inner.lastIndexOf('_', cut - 1);
      type = inner.slice(0, cut).toLowerCase();
    }
    const token = inner.slice(cut + 1);
    if (!isEntityType(type) || type === 'all' || token.length === 0 || token.includes('_')) continue;
    out.push({ start: m.index, end: m.index + m[0].length, entityType: type, token });
  }
  return out;
}

function inList(type: DetectableType, list: readonly string[] | null | undefined): boolean {
  if (!list || list.length === 0) return false;
  if (list.includes(type) || list.includes('all')) return true;
  return list.some((broad) => isEntityType(broad) && broad !== 'all' && (SUBTYPES[broad]?.includes(type) ?? false));
}

/** The redaction an entity type gets: redacted beats masked beats plain text; unlisted types come back in plain text. */
export function redactionFor(type: DetectableType, format: ReidentifyFormat | null | undefined): Redaction {
  if (inList(type, format?.redacted)) return 'redacted';
  if (inList(type, format?.masked)) return 'masked';
  return 'plaintext';
}

/** Most distinct tokens one detokenizer call receives while re-identifying a file. */
export const DETOKENIZE_BATCH = 10_000;

/** The placeholders found in one piece of text by a {@link ReidentifySession}. */
export interface FoundPiece {
  readonly found: ReadonlyArray<{ readonly f: FoundToken; readonly key: string | undefined }>;
}

const itemKey = (i: DetokenizeItem): string => `${i.entityType}\u0000${i.redaction}\u0000${i.token}`;

/**
 * One re-identification request spread over many pieces of text (a file's cells or values):
 * `collect()` every piece, `resolve()` once (one detokenizer call per {@link DETOKENIZE_BATCH} distinct
 * tokens of the whole request), then `render()` each piece.
 */
export class ReidentifySession {
  private readonly items = new Map<string, DetokenizeItem>();
  private values: Map<string, string | null | undefined> | undefined;

  constructor(
    private readonly format: ReidentifyFormat | null | undefined,
    private readonly hooks: ReidentifyHooks,
  ) {}

  /** Finds the placeholders of one piece. */
  collect(text: string): FoundPiece {
    if (this.values) throw new Error('ReidentifySession: collect() after resolve()');
    const found = findVaultTokens(text).map((f) => {
      const redaction = redactionFor(f.entityType, this.format);
      if (redaction === 'redacted') return { f, key: undefined };
      const item: DetokenizeItem = { token: f.token, entityType: f.entityType, redaction };
      const key = itemKey(item);
      if (!this.items.has(key)) this.items.set(key, item);
      return { f, key };
    });
    return { found };
  }

  /** Looks every collected token up; no detokenizer call when there is none. */
  async resolve(batchSize = DETOKENIZE_BATCH): Promise<void> {
    const keys = [...this.items.keys()];
    const all = [...this.items.values()];
    this.values = new Map();
    for (let from = 0; from < all.length; from += batchSize) {
      const values = await this.hooks.detokenize(all.slice(from, from + batchSize));
      for (let i = 0; i < values.length && from + i < keys.length; i++)
        this.values.set(keys[from + i] ?? '', values[i]);
    }
  }

  /** The re-identified text of one collected piece. */
  render(text: string, piece: FoundPiece): string {
    if (piece.found.length === 0) return text;
    if (!this.values) throw new Error('ReidentifySession: render() before resolve()');
    let out = '';
    let cursor = 0;
    for (const { f, key } of piece.found) {
      out += text.slice(cursor, f.start);
      if (key === undefined) out += `[${placeholderStem(f.entityType)}]`;
      else out += this.values.get(key) ?? text.slice(f.start, f.end);
      cursor = f.end;
    }
    out += text.slice(cursor);
    return out;
  }
}

/**
 * Re-identifies text (§6.3): finds vault-token placeholders and replaces each by what the detokenizer
 * returns (value or masked value); redacted types become `[ENTITY_TYPE]` without any vault look-up.
 * Counter placeholders (`[NAME_1]`) are passed to the detokenizer too; a server that does not know
 * them returns nothing and they stay as they are.
 */
export async function reidentifyString(
  request: ReidentifyStringRequest,
  hooks: ReidentifyHooks,
): Promise<ReidentifyStringResponse> {
  const { text } = request;
  const session = new ReidentifySession(request.format, hooks);
  const piece = session.collect(text);
  if (piece.found.length === 0) return { text };
  await session.resolve(Number.POSITIVE_INFINITY);
  return { text: session.render(text, piece) };
}

/**
 * A default masked form of a value, for detokenizers that have no vault masking rule: digits and
 * letters become `X` except the last four (card and account numbers keep their last four), emails keep
 * their first character and domain, short values keep only their first character.
 */
export function maskValue(entityType: DetectableType, value: string): string {
  if (entityType === 'email_address' && value.includes('@')) {
    const at = value.indexOf('@');
    return `${value.slice(0, 1)}${'*'.repeat(Math.max(1, at - 1))}${value.slice(at)}`;
  }
  const alnum = [...value].filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
  if (alnum <= 6) {
    let kept = false;
    return [...value]
      .map((c) => {
        if (!/[\p{L}\p{N}]/u.test(c)) return c;
        if (kept) return '*';
        kept = true;
        return c;
      })
      .join('');
  }
  let keep = 4;
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i] ?? '';
    if (!/[\p{L}\p{N}]/u.test(c)) continue;
    if (keep > 0) keep--;
    else chars[i] = 'X';
  }
  return chars.join('');
}
