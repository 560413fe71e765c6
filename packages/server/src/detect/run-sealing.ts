import type { VaultKeys } from '../crypto/keyring.js';
import type { DetectRunRow, DetectRunSealed } from '../store/types.js';

/** The parts of a run that are sealed, each bound to the run and its role so none can be swapped. */
export type RunPart = keyof DetectRunSealed;

/** Associated data of a run's part: the vault is bound by the envelope itself. */
export const runContext = (runId: string, part: RunPart): string[] => ['detect-run', runId, part];

export function sealPart(keys: VaultKeys, runId: string, part: RunPart, bytes: Uint8Array, version?: number): Buffer {
  return keys.seal(runContext(runId, part), bytes, version);
}

export function openPart(keys: VaultKeys, runId: string, part: RunPart, envelope: Uint8Array): Buffer {
  return keys.open(runContext(runId, part), envelope);
}

/** A run's sealed parts re-sealed under `version` (key rotation). */
export function resealRun(keys: VaultKeys, row: DetectRunRow, version: number): DetectRunSealed {
  const again = (part: RunPart, envelope: Buffer | null) =>
    envelope === null ? null : sealPart(keys, row.id, part, openPart(keys, row.id, part, envelope), version);
  return {
    options: again('options', row.options) as Buffer,
    input: again('input', row.input),
    output: again('output', row.output),
    entities: again('entities', row.entities),
  };
}
