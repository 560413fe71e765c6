import { badRequest } from '../errors.js';
import type { RequestContext } from './principal.js';

const CONTEXT_KEY = /^[a-zA-Z0-9_]+$/;
const MAX_CONTEXT_BYTES = 4096;

/**
 * Validates the `ctx` of an assertion: a non-empty string, or a flat object whose keys match
 * `^[a-zA-Z0-9_]+$` and whose values are strings, numbers or booleans (what the SDKs allow).
 */
export function parseContext(ctx: unknown): RequestContext | undefined {
  if (ctx === undefined || ctx === null || ctx === '') return undefined;
  // Type first: JSON.stringify throws on a bigint and returns undefined for a function or symbol.
  if (typeof ctx !== 'string' && (typeof ctx !== 'object' || Array.isArray(ctx))) {
    throw badRequest('ctx must be a string or a JSON object');
  }
  const entries: [string, string | number | boolean][] = [];
  if (typeof ctx === 'object') {
    for (const [key, value] of Object.entries(ctx)) {
      if (!CONTEXT_KEY.test(key)) throw badRequest(`ctx key "${key.slice(0, 64)}" must match ${CONTEXT_KEY.source}`);
      if (
        !(
          typeof value === 'string' ||
          typeof value === 'boolean' ||
          (typeof value === 'number' && Number.isFinite(value))
        )
      ) {
        throw badRequest(`ctx value of "${key.slice(0, 64)}" must be a string, a number or a boolean`);
      }
      entries.push([key, value]);
    }
  }
  if (Buffer.byteLength(JSON.stringify(ctx)) > MAX_CONTEXT_BYTES) {
    throw badRequest(`ctx must be at most ${MAX_CONTEXT_BYTES} bytes of JSON`);
  }
  if (typeof ctx === 'string') return ctx;
  // fromEntries defines own properties, so a "__proto__" key is kept as data instead of being swallowed
  // by the prototype setter of an object literal.
  return Object.fromEntries(entries);
}
