import { Analyzer } from '../src/analyzer.js';
import type { DetectedEntity } from '../src/model.js';

/** One analyzer for all tests: building the gazetteers takes a moment and they are read-only. */
export const analyzer = new Analyzer();

/** The entities found in `text` as [type, text] pairs, in text order. */
export function found(text: string, options: Parameters<Analyzer['analyze']>[1] = {}): Array<[string, string]> {
  return analyzer.analyze(text, options).entities.map((e: DetectedEntity) => [e.entityType, e.text]);
}

/** The types detected for exactly `value` inside `text` (empty when it was not detected as a whole). */
export function typesOf(text: string, value: string): string[] {
  return found(text)
    .filter(([, t]) => t === value)
    .map(([type]) => type);
}
