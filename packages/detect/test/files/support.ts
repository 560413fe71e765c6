import { expect } from 'vitest';
import type { TokenizeItem } from '../../src/deidentify/index.js';
import type { FileProgress } from '../../src/files/index.js';
import { FileFormatError } from '../../src/files/index.js';
import type { DetokenizeItem } from '../../src/reidentify/index.js';

/**
 * An in-memory vault behind the engine's tokenizer and detokenizer hooks (the plug-in points the server
 * fills with its real vault): the same value always gets the same token, and every call is recorded.
 */
export function memoryVault() {
  const byValue = new Map<string, string>();
  const byToken = new Map<string, string>();
  const tokenizeCalls: TokenizeItem[][] = [];
  const detokenizeCalls: DetokenizeItem[][] = [];
  let n = 0;
  return {
    tokenizeCalls,
    detokenizeCalls,
    tokenizer: async (items: readonly TokenizeItem[]) => {
      tokenizeCalls.push([...items]);
      return items.map((i) => {
        const key = `${i.entityType}\u0000${i.value}`;
        let t = byValue.get(key);
        if (!t) {
          t = `v${(++n).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
          byValue.set(key, t);
          byToken.set(t, i.value);
        }
        return t;
      });
    },
    detokenize: async (items: readonly DetokenizeItem[]) => {
      detokenizeCalls.push([...items]);
      return items.map((i) => byToken.get(i.token));
    },
  };
}

/** Records progress reports and checks they only grow and end, once, at done === total. */
export function progressRecorder() {
  const reports: FileProgress[] = [];
  return {
    reports,
    onProgress: (p: FileProgress) => reports.push(p),
    expectCompleted(): void {
      expect(reports.length).toBeGreaterThan(0);
      const last = reports[reports.length - 1] as FileProgress;
      expect(last.done).toBe(last.total);
      expect(reports.filter((p) => p.done === p.total)).toHaveLength(1);
      for (let i = 1; i < reports.length; i++) {
        expect(reports[i]?.done).toBeGreaterThanOrEqual(reports[i - 1]?.done ?? 0);
        expect(reports[i]?.total).toBe(last.total);
      }
    },
  };
}

/** Asserts that `run` fails with a FileFormatError whose message matches and quotes none of `secrets`. */
export async function expectFileFormatError(
  run: () => Promise<unknown>,
  message: RegExp,
  secrets: readonly string[] = [],
): Promise<FileFormatError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FileFormatError);
  const err = caught as FileFormatError;
  expect(err.message).toMatch(message);
  for (const s of secrets) expect(err.message).not.toContain(s);
  return err;
}

export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
