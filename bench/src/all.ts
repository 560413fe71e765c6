/**
 * `npm run bench`: every benchmark in turn, each in its own process. A benchmark that misses its target
 * does not stop the next one; the exit code is 1 when any missed (or failed).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
for (const benchmark of ['auth.js', 'data-api.js', 'sdk.js', 'detect.js']) {
  const run = spawnSync(process.execPath, [path.join(here, benchmark)], { stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write(`${benchmark}: exited with ${run.status ?? run.signal}\n`);
    process.exitCode = 1;
  }
}
