import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/**/*.test.ts'],
    // Integration tests boot real servers (RSA key generation, real stores); give them room on 2-core machines.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
