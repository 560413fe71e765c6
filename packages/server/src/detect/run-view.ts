import type { VaultKeys } from '../crypto/keyring.js';
import type { DetectRunRow, DetectRunStatus } from '../store/types.js';
import { processedFileType } from './file-endpoints.js';
import { openPart } from './run-sealing.js';

/** One element of §6.5 `output`. */
export interface RunOutputFile {
  readonly processedFile: string;
  readonly processedFileType: 'redacted_text' | 'redacted_file' | 'entities';
  readonly processedFileExtension: string;
}

/**
 * The §6.5 run status, camelCase as the SDKs read it, with `runId` (skyflow-node reads it) and our
 * addition `progress`: how far the worker has got, in the engine's units (`done` of `total`).
 */
export interface RunView {
  readonly runId: string;
  readonly status: DetectRunStatus;
  readonly outputType: 'BASE64' | 'UNKNOWN';
  readonly output: RunOutputFile[];
  readonly message: string;
  /** Size of the uploaded file in KB. */
  readonly size: number;
  readonly wordCharacterCount: { readonly wordCount: number; readonly characterCount: number };
  readonly progress: { readonly done: number; readonly total: number };
}

const kilobytes = (bytes: number) => Math.round((bytes / 1024) * 100) / 100;

/** The §6.5 answer for a run; a finished run's output and entities are unsealed with the vault's keys. */
export function runView(row: DetectRunRow, keys: VaultKeys): RunView {
  const output: RunOutputFile[] = [];
  if (row.status === 'SUCCESS' && row.output !== null) {
    output.push({
      processedFile: openPart(keys, row.id, 'output', row.output).toString('base64'),
      processedFileType: processedFileType(row.dataFormat),
      processedFileExtension: row.dataFormat,
    });
    if (row.entities !== null) {
      output.push({
        processedFile: openPart(keys, row.id, 'entities', row.entities).toString('base64'),
        processedFileType: 'entities',
        processedFileExtension: 'json',
      });
    }
  }
  return {
    runId: row.id,
    status: row.status,
    outputType: row.status === 'SUCCESS' ? 'BASE64' : 'UNKNOWN',
    output,
    message: row.message,
    size: kilobytes(row.inputBytes),
    wordCharacterCount: { wordCount: row.wordCount ?? 0, characterCount: row.characterCount ?? 0 },
    progress: { done: row.progressDone, total: row.progressTotal },
  };
}
