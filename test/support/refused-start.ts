import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { appMain } from './built-app';

export interface EndedStart {
  code: number | null;
  /** What it printed (stdout and stderr). */
  output: string;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Starts the build of `app` as its own process (as `spawnAgent`/`spawnCloud` do)
 * and waits for it to end by itself, for starts that must refuse; one still running after
 * `withinMs` is killed and answered with code null.
 */
export function runUntilExit(app: 'cloud' | 'local-agent', env: Record<string, string>, withinMs = 150_000): Promise<EndedStart> {
  const child = spawn(process.execPath, [appMain(app)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-16384)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), withinMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
