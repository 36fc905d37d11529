import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The Firefox executable: `FIREFOX_PATH`, else firefox-esr or firefox on PATH. */
export function findFirefox(configured?: string, path = process.env.PATH ?? ''): string | undefined {
  if (configured) return configured;
  for (const dir of path.split(delimiter)) {
    for (const name of ['firefox-esr', 'firefox']) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * The major version of an installed Firefox, read from the application.ini beside the binary
 * (instant), else from `--version`; null when there is no Firefox there.
 */
export function firefoxMajorOf(executable: string): number | null {
  try {
    const ini = readFileSync(join(dirname(realpathSync(executable)), 'application.ini'), 'utf8');
    const version = /^Version=(\d+)\./m.exec(ini);
    if (version) return Number(version[1]);
  } catch {
    // no application.ini there: ask the binary
  }
  try {
    const out = execFileSync(executable, ['--version'], { timeout: 15_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const version = /Firefox (\d+)\./.exec(out);
    return version ? Number(version[1]) : null;
  } catch {
    return null;
  }
}
