import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    reporters: ['default', './tests/support/totals-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['lib/**/*.test.ts', 'components/**/*.test.ts', 'demo/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts', 'cli/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          // One retry while the timing flake listed in docs/ARCHITECTURE.md "Testing" is found.
          retry: 1,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // expect.poll's own default (1 s) is shorter than a page's first render on a loaded CI machine.
          expect: { poll: { timeout: 10_000 } },
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // A failed attempt reports what its pages showed (a passing retry would hide it).
          setupFiles: ['tests/support/e2e-failure.ts'],
          // One retry while the timing flakes listed in docs/ARCHITECTURE.md "Testing" are found.
          retry: 1,
          testTimeout: 90_000,
          hookTimeout: 180_000,
          expect: { poll: { timeout: 10_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
