import { randomBytes } from 'node:crypto';
import { badRequest } from '../../errors.js';

/** Longest query text accepted (characters). */
export const MAX_QUERY_CHARS = 16 * 1024;

/** A string literal lifted out of the query text, decoded exactly as PostgreSQL reads it. */
export interface LiftedLiteral {
  readonly value: string;
  /** `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'` typed literals keep their keyword here. */
  readonly typed?: 'DATE' | 'TIME' | 'TIMESTAMP';
}

export interface LexedQuery {
  /** The text handed to the parser: every string literal replaced by a placeholder literal. */
  readonly text: string;
  /** Placeholder literal content → the literal it stands for. */
  readonly literals: ReadonlyMap<string, LiftedLiteral>;
}

const unsupported = (construct: string, hint?: string) =>
  badRequest(`Unsupported query: ${construct} is not supported${hint ? `; ${hint}` : ''}.`, [{ construct }]);

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$&]/.test(c);

/**
 * A small pre-lexer run before node-sql-parser. The parser's PostgreSQL grammar decodes some backslash
 * escapes inside standard strings (`'\t'` becomes a tab) but keeps others (`'\\'`, `''`) raw, so the value
 * it reports is not the value PostgreSQL would read. This pass finds every single-quoted literal, decodes
 * it the standard way (`''` is a quote, a backslash is a backslash), and replaces it with a random
 * placeholder literal of plain letters and digits, which the parser reports verbatim. The walker maps the
 * placeholders back. It also rejects the lexical constructs we do not accept (comments, dollar quoting,
 * parameters, prefixed strings) so the parser and this pass always agree on where literals are.
 */
export function liftLiterals(sql: string): LexedQuery {
  if (typeof sql !== 'string' || sql.trim() === '') throw badRequest('query must be a non-empty SQL SELECT statement.');
  if (sql.length > MAX_QUERY_CHARS) throw badRequest(`query is longer than ${MAX_QUERY_CHARS} characters.`);
  if (sql.includes('\u0000')) throw unsupported('the NUL character');
  const nonce = randomBytes(8).toString('hex');
  const literals = new Map<string, LiftedLiteral>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') throw unsupported('an SQL comment (--)');
    if (c === '/' && next === '*') throw unsupported('an SQL comment (/* */)');
    if (c === '$') throw unsupported('"$" (positional parameters and dollar-quoted strings)');
    if (c === '?') throw unsupported('"?" (parameters)');
    if (c === '"' || c === '`') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) throw badRequest(`Invalid query: unterminated quoted identifier starting at character ${i + 1}.`);
      const body = sql.slice(i + 1, end);
      if (body.includes('\\')) throw unsupported('a backslash inside a quoted identifier');
      if (body === '') throw badRequest(`Invalid query: empty quoted identifier at character ${i + 1}.`);
      out += sql.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === "'") {
      if (isWordChar(sql[i - 1])) {
        throw unsupported(`a prefixed string literal (${sql[i - 1]}'…')`, "write plain '…' strings");
      }
      let value = '';
      let j = i + 1;
      for (;;) {
        const d = sql[j];
        if (d === undefined)
          throw badRequest(`Invalid query: unterminated string literal starting at character ${i + 1}.`);
        if (d === "'") {
          if (sql[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += d;
        j += 1;
      }
      // A typed literal: DATE '…', TIME '…', TIMESTAMP '…' (keyword, whitespace, literal).
      let typed: LiftedLiteral['typed'];
      const before = /(date|time|timestamp)\s+$/i.exec(out);
      if (before && !/[A-Za-z0-9_"`.]/.test(out[before.index - 1] ?? ' ')) {
        typed = (before[1] as string).toUpperCase() as LiftedLiteral['typed'];
        out = out.slice(0, before.index);
      }
      const key = `sr${nonce}x${literals.size}`;
      literals.set(key, typed ? { value, typed } : { value });
      out += `'${key}'`;
      i = j + 1;
      continue;
    }
    out += c;
    i += 1;
  }
  return { text: out, literals };
}
