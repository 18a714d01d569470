import { defineConfig } from 'vitest/config';

// One vitest process runs every package as a project, so the whole workspace shares one Postgres server (started
// by the global setup) and reports one coverage figure.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    globalSetup: ['./test/global-setup.ts'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test/**', '**/*.d.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
    },
  },
});
