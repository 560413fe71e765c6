import { describe } from 'vitest';
import { STORE_KINDS, targetFor, unavailable } from './harness.js';
import { defineStoreSuite } from './suite.js';

// The one storage suite, run against every store kind.
for (const kind of STORE_KINDS) {
  describe.skipIf(await unavailable(kind))(`${kind} store`, () => {
    defineStoreSuite(targetFor(kind));
  });
}
