import { defineConfig } from 'tsup';

// One bundle for the server: workspace packages are compiled in (they ship TypeScript source), npm dependencies
// stay external and are loaded from node_modules.
export default defineConfig({
  entry: { main: 'src/main.ts', worker: 'src/worker-main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  noExternal: [/^@reelpost\//],
});
