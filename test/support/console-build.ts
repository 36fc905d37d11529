import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const CONSOLE_DIR = join(ROOT, 'dist', 'console');

/** The console as `npm run build` makes it; built here when a test runs before any build. */
export function ensureConsoleBuilt(): string {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
    // As `npm run build` does it: jest's NODE_ENV=test would give React's development build.
    execFileSync('npm', ['run', '-s', 'build:console'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  }
  return CONSOLE_DIR;
}
