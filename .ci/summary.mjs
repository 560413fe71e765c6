// Prints the one summary line CI reads: "N passed, N failed". Lint and type-check count as one check
// each; a test run that produced no results (e.g. the build failed) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const [file, testStatus, checksFailed] = process.argv.slice(2);
let passed = 2 - Number(checksFailed);
let failed = Number(checksFailed);
if (existsSync(file)) {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  if (Number(testStatus) !== 0 && results.numFailedTests === 0) failed += 1;
} else {
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
