import { invalidInput } from '../errors/skyflow-error.js';

/**
 * Context for context-aware authorization (`ctx` claim): one string, or a flat object whose keys become
 * `request.context.<key>` in policies.
 */
export type Context = string | Readonly<Record<string, string | number | boolean>>;

export const CONTEXT_KEY = /^[A-Za-z0-9_]+$/;

/**
 * Checks a `ctx` before it is signed: a string, or an object with keys matching `^[A-Za-z0-9_]+$` and
 * string, number or boolean values (what Skyflow's SDKs and the server accept). `undefined` and `''` mean
 * no context. Throws `INVALID_INPUT` naming the bad key (keys are names, never secret values).
 */
export function validateContext(ctx: unknown): Context | undefined {
  if (ctx === undefined || ctx === null || ctx === '') return undefined;
  if (typeof ctx === 'string') return ctx;
  if (typeof ctx !== 'object' || Array.isArray(ctx)) throw invalidInput('ctx must be a string or a flat object.');
  const entries = Object.entries(ctx);
  for (const [key, value] of entries) {
    if (!CONTEXT_KEY.test(key)) {
      throw invalidInput(`ctx key "${key.slice(0, 64)}" is invalid: keys must match ${CONTEXT_KEY.source}.`);
    }
    const ok =
      typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw invalidInput(`ctx value of "${key}" must be a string, a number or a boolean.`);
  }
  // A fresh object from entries keeps a "__proto__" key as data rather than as a prototype change.
  return Object.fromEntries(entries) as Record<string, string | number | boolean>;
}
