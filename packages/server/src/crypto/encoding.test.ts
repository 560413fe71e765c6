import { describe, expect, it } from 'vitest';
import { encodeParts } from './encoding.js';

/** The encoding as first written: a 4-byte length and the UTF-8 bytes of each part, concatenated. */
function reference(parts: readonly string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length, 0);
      return [length, bytes];
    }),
  );
}

describe('encodeParts', () => {
  const cases: string[][] = [
    [],
    [''],
    ['token-value', 'vault', 'ab'.repeat(32)],
    ['ab', 'c'],
    ['a', 'bc'],
    ['é', '日本', '😀', 'x\u0000y'],
    ['\ud800 lone surrogate'],
  ];

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s encodes as length-prefixed UTF-8', (_, parts) => {
    expect(encodeParts(parts)).toEqual(reference(parts));
  });

  it('puts a prefix first, as it is', () => {
    const prefix = Buffer.from([1, 0, 0, 0, 7]);
    expect(encodeParts(['cell', 'v'], prefix)).toEqual(Buffer.concat([prefix, reference(['cell', 'v'])]));
  });

  it('keeps ("ab","c") and ("a","bc") apart', () => {
    expect(encodeParts(['ab', 'c']).equals(encodeParts(['a', 'bc']))).toBe(false);
  });
});
