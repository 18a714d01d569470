import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the page runs on Vite's server and the API on apps/server (`pnpm dev`, port 3001 unless
// REELPOST_API_URL says otherwise); these prefixes go to the server, everything else is the page.
const apiUrl = process.env.REELPOST_API_URL ?? 'http://localhost:3001';
const SERVER_PREFIXES = ['/trpc', '/api', '/dev', '/tiktok', '/healthz', '/readyz'];

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: Object.fromEntries(SERVER_PREFIXES.map((prefix) => [prefix, { target: apiUrl }])),
  },
  build: { outDir: 'dist', sourcemap: true, emptyOutDir: true },
});
