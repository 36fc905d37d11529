import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const CONSOLE_DIR = join(ROOT, 'dist', 'console');

/** The console as `npm run build` makes it; built here when a test runs before any build. */
export function ensureConsoleBuilt(): string {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
    execFileSync('npm', ['run', '-s', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
  }
  return CONSOLE_DIR;
}
