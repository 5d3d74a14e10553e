import { defineConfig } from 'vitest/config';

// Workspace packages are resolved to their TypeScript sources through the
// "@stigmer/source" export condition (scoped, so that no other tool matches
// it), so unit tests never need a build first.
const resolve = { conditions: ['@stigmer/source'] };
// Tests run in Vite's SSR environment, which takes its conditions from `ssr.resolve`.
const ssr = { resolve: { conditions: ['@stigmer/source'] } };

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Tests share one Docker engine and the local tag; running files in
          // parallel would make them race for it.
          fileParallelism: false,
        },
      },
    ],
  },
});
