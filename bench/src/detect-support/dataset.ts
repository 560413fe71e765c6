import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A labelled span of the public benchmark, UTF-16 offsets (what `String.prototype.slice` takes). */
export interface GoldSpan {
  start: number;
  end: number;
  label: string;
}

export interface Sample {
  text: string;
  spans: GoldSpan[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DATASET_FILE = 'detect/presidio-synth_dataset_v2.json';

/**
 * The read-only shared data directory: `STRONGROOM_SHARED_DATA`, `../shared/data` beside the repository,
 * or `/work/shared/data`. The data set is read from there at benchmark time and never copied into the
 * project.
 */
export function sharedDataDir(): string {
  const candidates = [
    process.env.STRONGROOM_SHARED_DATA,
    path.resolve(repoRoot, '../shared/data'),
    '/work/shared/data',
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((dir) => existsSync(path.join(dir, DATASET_FILE)));
  if (!found) {
    throw new Error(
      `Detect benchmark data not found (looked for ${DATASET_FILE} in ${candidates.join(', ')}); set STRONGROOM_SHARED_DATA to the shared/data directory`,
    );
  }
  return found;
}

/** Converts a code-point offset (Python `str` indices, as the data set uses) to a UTF-16 offset. */
export function codePointToUtf16(text: string, cp: number): number {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points === cp) return units;
    units += ch.length;
    points++;
  }
  return units;
}

interface RawSample {
  full_text: string;
  spans: Array<{ entity_type: string; start_position: number; end_position: number }>;
}

/** Loads the presidio-research synthetic data set (1,500 sentences). */
export function loadPresidioSynth(file = path.join(sharedDataDir(), DATASET_FILE)): Sample[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSample[];
  return raw.map((s) => ({
    text: s.full_text,
    spans: s.spans.map((sp) => ({
      start: codePointToUtf16(s.full_text, sp.start_position),
      end: codePointToUtf16(s.full_text, sp.end_position),
      label: sp.entity_type,
    })),
  }));
}
