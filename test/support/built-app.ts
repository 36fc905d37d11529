import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export type App = 'cloud' | 'local-agent';

/**
 * The entry file `npm start` runs for `app`. Tests that start the cloud or the agent as its own
 * process run this build (made once per test run by `buildApps`), not the sources through
 * ts-node: a start then loads compiled files (about 1.4 s of CPU) instead of transpiling the
 * whole app again (about 6 s), and what is tested is what users start.
 */
export function appMain(app: App): string {
  return join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

/**
 * Builds the cloud, the agent and the console as `npm start` does (`tools/build.mjs`: nothing is
 * compiled when the sources did not change since the last build). Jest's global set-up.
 */
export function buildApps(): void {
  // React's production build, as `npm run build` makes it: jest sets NODE_ENV=test.
  execFileSync(process.execPath, [join(ROOT, 'tools', 'build.mjs'), 'cloud', 'local-agent', 'console'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
