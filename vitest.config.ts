import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    // DynamoDB Local and CDK synthesis share two cores: keep the parallelism modest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 240_000,
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  },
});
