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
    // CI measures coverage (REELPOST_COVERAGE=1, or --coverage) and holds the workspace to 80 % of lines and branches,
    // the TikTok client and its emulator to 90 %.
    coverage: {
      enabled: process.env.REELPOST_COVERAGE === '1',
      provider: 'v8',
      include: ['packages/*/src/**/*.{ts,tsx}', 'apps/*/src/**/*.{ts,tsx}'],
      // Process entry points run as child processes (their logic lives in modules tested in-process).
      exclude: ['**/*.test.{ts,tsx}', '**/test/**', '**/src/testing/**', '**/*.d.ts', '**/cli.ts', '**/cli/**', 'apps/server/src/main.ts', 'apps/server/src/worker-main.ts', 'apps/web/src/main.tsx'],
      reporter: ['text-summary', 'json-summary', 'html'],
      thresholds: {
        lines: 80,
        branches: 80,
        'packages/tiktok/src/**': { lines: 90, branches: 90 },
        'packages/tiktok-emulator/src/**': { lines: 90, branches: 90 },
      },
    },
  },
});
