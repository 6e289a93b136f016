import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.gameday/**', 'reports/runs/**'],
    // Integration tests start real redis-server, DynamoDB Local and emulator processes:
    // two cores, so at most two test files at once, with room for JVM start-up.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The AWS SDK warns on every client under Node 20; the versions are pinned, so it is noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
});
