import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built by `npm run build` (tools/build.mjs runs `vite build apps/console --outDir <its own folder>`, and dist/console
// points at the result); a bare `vite build apps/console` writes to dist/vite/console, never under a running cloud.
// The console is plain React compiled by Vite's own JSX transform.
export default defineConfig({
  base: '/',
  // The types and lists the API is built on, shared with the cloud (the console imports nothing else of the server).
  resolve: { alias: { '@cos/contracts': fileURLToPath(new URL('../../libs/contracts/src', import.meta.url)) } },
  oxc: { jsx: { runtime: 'automatic' } },
  // Written on the page's script and stylesheet tags and on <meta property="csp-nonce">; the cloud puts a
  // fresh nonce in its place in each answer of the page (CSP_NONCE_PLACEHOLDER, apps/cloud/src/console/console-page.ts).
  html: { cspNonce: 'cos-csp-nonce-placeholder' },
  build: {
    outDir: '../../dist/vite/console',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      // The UI library's "use client" marks are for server-rendering frameworks; a browser-only
      // bundle drops them by design, so the warning for each of its files is left out of `npm start`.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('"use client"')) return;
        warn(warning);
      },
    },
  },
});
