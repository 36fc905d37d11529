import type { NextFunction, Request, Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';

/** What the console's build (apps/console/vite.config.mts, `html.cspNonce`) writes where each answer puts its nonce. */
export const CSP_NONCE_PLACEHOLDER = 'cos-csp-nonce-placeholder';

/** What the console's pages may load and talk to: their own origin only, no inline script (the page adds its own by hash), no framing. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: for run screenshots, fetched with the token and shown from memory (never a URL that carries it).
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The OpenAPI page's: the console's policy with inline styles (its page has `<style>` blocks); still no framing. */
export const DOCS_CSP = CONSOLE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/**
 * The page's policy: the console's, the `<style>` elements that carry this answer's nonce (a dialog's
 * scroll lock) and the page's own inline scripts, each by the hash of its text (`inlineScriptHashes`).
 */
export const pageCsp = (nonce: string, scriptHashes: readonly string[] = []) =>
  CONSOLE_CSP.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`).replace(
    "script-src 'self'",
    ["script-src 'self'", ...scriptHashes].join(' '),
  );

/** The `'sha256-…'` source of each inline script of a page (its text exactly: any other inline script stays refused). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    .filter(([, attributes, text]) => !/\ssrc\s*=/i.test(attributes) && text.length > 0)
    .map(([, , text]) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`);
}

/** A request path as the static file server reads it (decoded, dot segments resolved); null when it cannot be decoded. */
function servedPath(path: string): string | null {
  try {
    return posix.normalize(decodeURIComponent(path));
  } catch {
    return null;
  }
}

/**
 * The console's page (`/`, and `/index.html` however spelled), each answer with a nonce of its own
 * in its policy and its tags. Read once, from the build this process started with (as the static
 * files are): null when the console is not built.
 */
export function consolePage(consoleDir: string): ((request: Request, response: Response, next: NextFunction) => void) | null {
  const dir = resolve(consoleDir);
  const file = join(dir, 'index.html');
  if (!existsSync(file)) return null;
  const html = readFileSync(join(realpathSync(dir), 'index.html'), 'utf8');
  const scriptHashes = inlineScriptHashes(html);
  return (request, response, next) => {
    const path = request.method === 'GET' || request.method === 'HEAD' ? servedPath(request.path) : null;
    if (path !== '/' && path !== '/index.html') {
      next();
      return;
    }
    const nonce = randomBytes(18).toString('base64');
    response.setHeader('Content-Security-Policy', pageCsp(nonce, scriptHashes));
    // Each answer is its own (its nonce): never stored, never answered from a cache.
    response.setHeader('Cache-Control', 'no-store');
    response.type('html').send(html.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
  };
}
