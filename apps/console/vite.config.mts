import { defineConfig } from 'vite';

// Built with `vite build apps/console` (the folder is the root). The console is plain React compiled by Vite's own JSX transform; the cloud serves the build from dist/console.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: '../../dist/console', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
