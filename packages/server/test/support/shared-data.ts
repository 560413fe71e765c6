import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The read-only shared data sets (Wycheproof vectors, Detect corpora). They are never copied into the
 * project: tests read them where the workspace keeps them, `../shared/data` beside the repository, or
 * where `STRONGROOM_SHARED_DATA` points. A missing directory fails the test run loudly rather than
 * skipping the vectors.
 */
export function sharedDataDir(): string {
  const candidates = [
    process.env.STRONGROOM_SHARED_DATA,
    path.resolve(repoRoot, '../shared/data'),
    '/work/shared/data',
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((dir) => existsSync(path.join(dir, 'wycheproof')));
  if (!found) {
    throw new Error(
      `shared test data not found (looked in ${candidates.join(', ')}); set STRONGROOM_SHARED_DATA to the shared/data directory`,
    );
  }
  return found;
}

export const wycheproofDir = (): string => path.join(sharedDataDir(), 'wycheproof');
