import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import type { HtmlTagDescriptor, Plugin } from 'vite';

// Built by `npm run build` (tools/build.mjs runs `vite build apps/console --outDir <its own folder>`, and dist/console
// points at the result); a bare `vite build apps/console` writes to dist/vite/console, never under a running cloud.
// The console is plain React compiled by Vite's own JSX transform.
export default defineConfig({
  base: '/',
  // The types and lists the API is built on, shared with the cloud (the console imports nothing else of the server).
  resolve: { alias: { '@cos/contracts': fileURLToPath(new URL('../../libs/contracts/src', import.meta.url)) } },
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [themeBeforeFirstPaint(), fetchConsoleWithEntry()],
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

/**
 * The page's entry (src/boot.ts) only starts the session's first calls and then imports the
 * console (src/main.tsx). Without help the browser would learn of the console's script and
 * stylesheet only once the entry runs; these tags in the page let it fetch them beside the entry.
 */
function fetchConsoleWithEntry(): Plugin {
  return {
    name: 'cos-fetch-console-with-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context): HtmlTagDescriptor[] {
        const main = Object.values(context.bundle ?? {}).find(
          (output) => output.type === 'chunk' && output.facadeModuleId?.endsWith('/src/main.tsx') === true,
        );
        if (main?.type !== 'chunk') throw new Error('the build has no chunk for src/main.tsx');
        // Its own code and the chunks it shares with the lazily loaded pages; the entry is already on the page.
        const scripts = [
          main.fileName,
          ...main.imports.filter((file) => context.bundle?.[file]?.type === 'chunk' && !context.bundle[file].isEntry),
        ];
        const link = (rel: string, file: string): HtmlTagDescriptor => ({
          tag: 'link',
          attrs: { rel, crossorigin: true, href: `/${file}` },
          injectTo: 'head',
        });
        return [
          ...scripts.map((file) => link('modulepreload', file)),
          ...[...(main.viteMetadata?.importedCss ?? [])].map((css) => link('stylesheet', css)),
        ];
      },
    },
  };
}

/**
 * applyStoredTheme (src/theme-store.ts, same key) as the page's first script: inline in its head,
 * let in by the hash of its text (the cloud's page policy), so the chosen theme is set before
 * anything of the page is drawn (no flash of the other theme while the entry loads).
 */
const THEME_SCRIPT =
  "try{var t=localStorage.getItem('cos.console.theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}";

/** The chosen theme set by the page's first script (THEME_SCRIPT). */
function themeBeforeFirstPaint(): Plugin {
  return {
    name: 'cos-theme-before-first-paint',
    transformIndexHtml: () => [{ tag: 'script', children: THEME_SCRIPT, injectTo: 'head-prepend' }],
  };
}
