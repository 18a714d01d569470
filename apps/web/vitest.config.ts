import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

// Component tests run in happy-dom (jsdom's current releases need Node 22). The Playwright suite (e2e/) is not a
// vitest project: it drives a real browser against the built server, see e2e/run.sh.
export default defineProject({
  plugins: [react()],
  test: {
    name: '@reelpost/web',
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/setup.ts'],
  },
});
