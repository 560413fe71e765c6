import type { ColumnSpec } from '../schema/model.js';

/**
 * Built-in masks: what `MASKED` shows for a column without find/replace patterns (and the fallback when
 * its patterns cannot mask a value). Each mask works on the value's text and keeps a fixed, small part
 * of it; a character is a Unicode code point.
 *
 * | kind      | example input           | output                  |
 * |-----------|-------------------------|-------------------------|
 * | `card`    | `4111 1111 1111 1234`   | `XXXX XXXX XXXX 1234`   |
 * | `ssn`     | `123-45-6789`           | `XXX-XX-6789`           |
 * | `email`   | `johndoe@mail.com`      | `j******e@mail.com`     |
 * | `phone`   | `+1 (555) 123-4567`     | `+X (XXX) XXX-4567`     |
 * | `name`    | `Jonathan`              | `J***an`                |
 * | `date`    | `1990-04-15`            | `XXXX-04-15`            |
 * | `generic` | `ACC-99887766`          | `XXXXXXXX7766`          |
 * | `redact`  | `true`, `{"a":1}`       | `*REDACTED*`            |
 */
export type MaskKind = 'card' | 'ssn' | 'email' | 'phone' | 'name' | 'date' | 'generic' | 'redact';

/** What Skyflow's API examples return for a redacted value, whatever its datatype. */
export const REDACTED_TEXT = '*REDACTED*';

/** The column facts a built-in mask is chosen from; `dataType` is `skyflow.options.data_type` when known. */
export type MaskableColumn = Pick<ColumnSpec, 'name' | 'datatype'> & { readonly dataType?: string | undefined };

/** `skyflow.options.data_type` values (lower case, without the `skyflow.` prefix) with a dedicated mask. */
const DATA_TYPE_KINDS: ReadonlyMap<string, MaskKind> = new Map([
  ['cardnumber', 'card'],
  ['ssn', 'ssn'],
  ['ein', 'ssn'],
  ['email', 'email'],
  ['primaryemail', 'email'],
  ['phonenumber', 'phone'],
  ['name', 'name'],
  ['humanname', 'name'],
  ['address', 'name'],
  ['dob', 'date'],
]);

/** Column-name heuristics, tried in order on the (lower-case, `_`-separated) column name. */
const NAME_KINDS: readonly (readonly [RegExp, MaskKind])[] = [
  [/(^|_)e_?mails?($|_)/, 'email'],
  [
    /(^|_)((credit|debit)_?)?card_?(number|num|no)($|_)|(^|_)(pan|ccn|cc_?(number|num|no))($|_)|(^|_)(credit|debit)_?card($|_)/,
    'card',
  ],
  [/(^|_)(ssn|social_security(_number|_no)?|sin|itin|tin|ein|tax_?id|national_?id)($|_)/, 'ssn'],
  [/(^|_)(phone|telephone|tel|mobile|cell|fax)(_?(number|num|no))?($|_)/, 'phone'],
  [/(^|_)(dob|date_of_birth|birth_?date|birthday)($|_)/, 'date'],
  [
    /(^|_)((first|last|middle|given|family|full|maiden|holder)_?)?name($|_)|(^|_)surname($|_)|(^|_)(address|street|addr)(_?line)?(_?[0-9])?($|_)/,
    'name',
  ],
];

/**
 * Chooses the built-in mask for a column: booleans, JSON (`DT_EMBEDDED`) and files are never partly
 * shown (`redact`); otherwise the `skyflow.options.data_type` hint when it names a known kind
 * (`skyflow.CardNumber`, `skyflow.SSN`, `skyflow.EIN`, `skyflow.Email`, `skyflow.PrimaryEmail`,
 * `skyflow.PhoneNumber`, `skyflow.Name`, `skyflow.HumanName`, `skyflow.Address`, `skyflow.DOB`), then the
 * column name (`email`, `card_number`, `ssn`, `phone`, `dob`, `first_name`, `address_line_1`, …), then
 * the datatype (`DT_DATE`/`DT_DATETIME` → `date`), else `generic`.
 */
export function maskKindOf(column: MaskableColumn, hints?: { readonly dataType?: string | undefined }): MaskKind {
  if (column.datatype === 'DT_BOOL' || column.datatype === 'DT_EMBEDDED' || column.datatype === 'DT_FILE_TYPE') {
    return 'redact';
  }
  const dataType = (hints?.dataType ?? column.dataType)?.toLowerCase().replace(/^skyflow\./, '');
  const byDataType = dataType === undefined ? undefined : DATA_TYPE_KINDS.get(dataType);
  if (byDataType) return byDataType;
  const name = column.name.toLowerCase();
  for (const [pattern, kind] of NAME_KINDS) if (pattern.test(name)) return kind;
  if (column.datatype === 'DT_DATE' || column.datatype === 'DT_DATETIME') return 'date';
  return 'generic';
}

/**
 * How many trailing characters (or digits) a mask may show of `n`: none of 4 or fewer, otherwise 4 but
 * never more than half (5 → 2, 6–7 → 3, 8 and more → 4).
 */
export function shownTail(n: number): number {
  return n <= 4 ? 0 : Math.min(4, Math.floor(n / 2));
}

const isDigit = (ch: string) => ch >= '0' && ch <= '9';

/**
 * Masks every ASCII digit but the last {@link shownTail} of them with `X`, keeps the `separators`, and
 * turns every other character into `X`.
 */
function maskDigits(text: string, separators: string): string {
  const chars = Array.from(text);
  let keep = shownTail(chars.filter(isDigit).length);
  const out = new Array<string>(chars.length);
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    const ch = chars[i] as string;
    if (isDigit(ch)) {
      out[i] = keep > 0 ? ch : 'X';
      keep = Math.max(0, keep - 1);
    } else out[i] = separators.includes(ch) ? ch : 'X';
  }
  return out.join('');
}

/** Card numbers: `4111 1111 1111 1234` → `XXXX XXXX XXXX 1234`; spaces and hyphens kept. */
export const maskCardNumber = (text: string): string => maskDigits(text, ' -');

/** SSNs and similar ids: `123-45-6789` → `XXX-XX-6789`; spaces and hyphens kept. */
export const maskSsn = (text: string): string => maskDigits(text, ' -');

/** Phone numbers: `+1 (555) 123-4567` → `+X (XXX) XXX-4567`; `+ ( ) - . /` and spaces kept. */
export const maskPhone = (text: string): string => maskDigits(text, ' -.()+/');

/**
 * Emails: the local part (before the last `@`) becomes its first character, `******` and its last
 * character (`johndoe@mail.com` → `j******e@mail.com`); the domain is kept. Local parts of 2–3 characters
 * show only their first (`jo@x.org` → `j******@x.org`), a 1-character one shows nothing. Text without a
 * local part and a domain gets the generic mask.
 */
export function maskEmail(text: string): string {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return maskGeneric(text);
  const local = Array.from(text.slice(0, at));
  const shown = local.length >= 4 ? [local[0], local.at(-1)] : local.length >= 2 ? [local[0], ''] : ['', ''];
  return `${shown[0]}******${shown[1]}${text.slice(at)}`;
}

/**
 * Names (and address lines): the first character, `***`, and the last two characters when at least two
 * more stay hidden (`Jonathan` → `J***an`, `Bobby` → `B***by`, `Ann` → `A***`).
 */
export function maskName(text: string): string {
  const chars = Array.from(text);
  if (chars.length === 0) return '';
  return `${chars[0]}***${chars.length >= 5 ? chars.slice(-2).join('') : ''}`;
}

/** Dates and date-times: the year hidden (`1990-04-15` → `XXXX-04-15`); other text gets the generic mask. */
export function maskDate(text: string): string {
  return /^[0-9]{4}-/.test(text) ? `XXXX${text.slice(4)}` : maskGeneric(text);
}

/** Anything else: every character `X` but the last {@link shownTail} (`ACC-99887766` → `XXXXXXXX7766`). */
export function maskGeneric(text: string): string {
  const chars = Array.from(text);
  const keep = shownTail(chars.length);
  return 'X'.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
}

/** Applies the built-in mask of a kind to a value's text. */
export function builtinMask(kind: MaskKind, text: string): string {
  switch (kind) {
    case 'card':
      return maskCardNumber(text);
    case 'ssn':
      return maskSsn(text);
    case 'email':
      return maskEmail(text);
    case 'phone':
      return maskPhone(text);
    case 'name':
      return maskName(text);
    case 'date':
      return maskDate(text);
    case 'generic':
      return maskGeneric(text);
    case 'redact':
      return REDACTED_TEXT;
  }
}
