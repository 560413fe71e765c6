import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A 32-hex-character identifier shaped like Skyflow's IDs, time-sortable: the first 12 hex digits are
 * the creation time in milliseconds, the other 20 are random (80 bits), so IDs created later sort later
 * and listing by ID is listing by age.
 */
export function newId(now: number = Date.now()): string {
  return now.toString(16).padStart(12, '0').slice(-12) + randomBytes(10).toString('hex');
}

/** A random UUID v4, the shape of `skyflow_id` and of UUID tokens. */
export function newUuid(): string {
  return randomUUID();
}

const ID_PATTERN = /^[0-9a-f]{32}$/;

/** True when `value` has the shape of an ID made by {@link newId}. */
export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}
