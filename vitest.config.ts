import { defineConfig } from 'vitest/config';

// CI asks for a JSON report (to total the results) by naming a file in REELPOST_TEST_REPORT.
const report = process.env.REELPOST_TEST_REPORT;

// One vitest process runs every package as a project, so the whole workspace shares one Postgres server (started
// by the global setup) and reports one coverage figure.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    globalSetup: ['./test/global-setup.ts'],
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test/**', '**/*.d.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
    },
  },
});
