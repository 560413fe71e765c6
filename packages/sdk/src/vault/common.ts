import { invalidInput } from '../errors/skyflow-error.js';
import type { CallOptions } from '../http/transport.js';

/** One failed item of a partial result (`insert` or `detokenize` with `continueOnError`). */
export interface SkyflowRecordError {
  /** The server's message for this item. */
  readonly error: string;
  /** The item's own status (400 for a rejected record), when the server gives one. */
  readonly httpCode?: number | undefined;
  /** `x-request-id` of the call. */
  readonly requestId: string | undefined;
  /** Position of the item in the request. */
  readonly requestIndex?: number | undefined;
  /** The token that failed (detokenize). */
  readonly token?: string | undefined;
}

/**
 * Base of every options class: per-call controls, with skyflow-node style setters that also chain
 * (`new InsertOptions().setReturnTokens(true).setTimeoutMs(2_000)`).
 */
export abstract class CallOptionsBase implements CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;

  setSignal(signal: AbortSignal): this {
    this.signal = signal;
    return this;
  }
  getSignal(): AbortSignal | undefined {
    return this.signal;
  }
  setTimeoutMs(timeoutMs: number): this {
    this.timeoutMs = timeoutMs;
    return this;
  }
  getTimeoutMs(): number | undefined {
    return this.timeoutMs;
  }
}

/** Copies the defined fields of `init` onto `target` (the constructor of every options class). */
export function assignDefined<T extends object>(target: T, init: Partial<T> | undefined): void {
  if (!init) return;
  for (const [key, value] of Object.entries(init)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}

export function requireTable(table: unknown, operation: string): string {
  if (typeof table !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(table)) {
    throw invalidInput(`${operation}: table must be a table name.`);
  }
  return table;
}

export function requireRecordList(data: unknown, operation: string, what: string): Record<string, unknown>[] {
  if (!Array.isArray(data) || data.length === 0) throw invalidInput(`${operation}: ${what} must be a non-empty list.`);
  data.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalidInput(`${operation}: ${what}[${i}] must be an object.`);
    }
  });
  return data as Record<string, unknown>[];
}

export function requireIdList(ids: unknown, operation: string, what: string): string[] {
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string' || id === '')) {
    throw invalidInput(`${operation}: ${what} must be a non-empty list of strings.`);
  }
  return ids as string[];
}

export function optionalBoolean(value: unknown, operation: string, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalidInput(`${operation}: ${name} must be a boolean.`);
  return value as boolean | undefined;
}

export function optionalEnum<T extends string>(
  value: unknown,
  values: Record<string, T>,
  operation: string,
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!Object.values(values).includes(value as T)) {
    throw invalidInput(`${operation}: ${name} must be one of ${Object.values(values).join(', ')}.`);
  }
  return value as T;
}

/** A query string with repeated keys for lists (`?a=1&a=2`) and every value URL-encoded. */
export function queryString(params: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** `fields` of a record with `skyflow_id` renamed `skyflowId` (first), as skyflow-node v2 returns records. */
export function withSkyflowId(fields: unknown): Record<string, unknown> {
  if (typeof fields !== 'object' || fields === null) return {};
  const { skyflow_id: id, ...rest } = fields as Record<string, unknown>;
  return id === undefined ? rest : { skyflowId: id, ...rest };
}
