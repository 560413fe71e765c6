import type { DeidentifyHooks, DeidentifyRequestOptions, PlannedPiece } from '../../deidentify/index.js';
import type { FoundPiece, ReidentifyHooks, ReidentifyRequestOptions } from '../../reidentify/index.js';
import { FileFormatError } from '../errors.js';
import { DeidentifyJob, type FormatContext, ReidentifyJob } from '../job.js';
import { checkSize } from '../limits.js';
import { decodeUtf8, encodeUtf8 } from '../text-encoding.js';

/** A string value of a JSON document (never a key): its raw token's range, decoded value and pointer. */
interface JsonString {
  readonly start: number;
  readonly end: number;
  value: string;
  readonly pointer: string;
}

type Frame = { kind: 'object'; key: string } | { kind: 'array'; index: number };

const escapePointer = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The string values of a valid JSON text in document order, found lexically so that everything else
 * (keys, numbers of any precision, duplicate keys, whitespace) can be written back byte for byte.
 */
function stringValues(text: string): JsonString[] {
  const out: JsonString[] = [];
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let end = i + 1;
      for (;;) {
        const q = text.indexOf('"', end);
        let backslashes = 0;
        while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
        end = q + 1;
        if (backslashes % 2 === 0) break;
      }
      const value = JSON.parse(text.slice(i, end)) as string;
      let next = end;
      while (next < n && /\s/.test(text[next] as string)) next++;
      const top = stack[stack.length - 1];
      if (text[next] === ':' && top?.kind === 'object') top.key = value;
      else {
        const pointer = stack.map((f) => `/${f.kind === 'object' ? escapePointer(f.key) : f.index}`).join('');
        out.push({ start: i, end, value, pointer });
      }
      i = end;
      continue;
    }
    if (c === 123 /* { */) stack.push({ kind: 'object', key: '' });
    else if (c === 91 /* [ */) stack.push({ kind: 'array', index: 0 });
    else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
    }
    i++;
  }
  return out;
}

interface JsonFile {
  text: string;
  bom: boolean;
  strings: JsonString[];
}

function readJson(input: Uint8Array, context: FormatContext): JsonFile {
  checkSize(input.byteLength, context.limits);
  const { text, bom } = decodeUtf8(input);
  try {
    JSON.parse(text);
  } catch {
    throw new FileFormatError('the file is not valid JSON');
  }
  const strings = stringValues(text);
  context.cells.add(strings.length);
  return { text, bom, strings };
}

/** The document with changed string values written back (as JSON.stringify escapes them). */
function writeJson(file: JsonFile, changed: ReadonlyMap<JsonString, string>): Buffer {
  const parts: string[] = [];
  let cursor = 0;
  for (const s of file.strings) {
    const value = changed.get(s);
    if (value === undefined) continue;
    parts.push(file.text.slice(cursor, s.start), JSON.stringify(value));
    cursor = s.end;
  }
  parts.push(file.text.slice(cursor));
  return encodeUtf8(parts.join(''), file.bom);
}

/**
 * De-identifies the string values of a JSON document; keys, numbers, booleans, nulls, key order and
 * formatting stay exactly as they were. Entity paths are JSON pointers; progress counts string values.
 */
export async function deidentifyJson(
  input: Uint8Array,
  request: DeidentifyRequestOptions,
  hooks: DeidentifyHooks,
  context: FormatContext,
): Promise<{ output: Buffer; job: DeidentifyJob }> {
  const file = readJson(input, context);
  const job = new DeidentifyJob(request, hooks, context, file.strings.length);
  const planned: Array<[JsonString, PlannedPiece]> = [];
  for (const s of file.strings) {
    if (s.value.trim() === '') await job.skip(1);
    else planned.push([s, await job.plan(s.value)]);
  }
  await job.resolve();
  const changed = new Map<JsonString, string>();
  for (const [s, piece] of planned) {
    const processed = job.render(s.value, piece, s.pointer);
    if (processed !== s.value) changed.set(s, processed);
  }
  const output = writeJson(file, changed);
  job.progress.finish();
  return { output, job };
}

/** Restores the vault tokens in the string values of a JSON document. */
export async function reidentifyJson(
  input: Uint8Array,
  request: ReidentifyRequestOptions,
  hooks: ReidentifyHooks,
  context: FormatContext,
): Promise<Buffer> {
  const file = readJson(input, context);
  const job = new ReidentifyJob(request, hooks, context, file.strings.length);
  const found: FoundPiece[] = [];
  for (const s of file.strings) found.push(await job.collect(s.value));
  await job.resolve();
  const changed = new Map<JsonString, string>();
  file.strings.forEach((s, i) => {
    const restored = job.render(s.value, found[i] as FoundPiece);
    if (restored !== s.value) changed.set(s, restored);
  });
  const output = writeJson(file, changed);
  job.progress.finish();
  return output;
}
