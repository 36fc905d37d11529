import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { appMain } from './built-app';
import { waitForHealth } from './wait-for-health';

export interface CloudProcess {
  url: string;
  pid: number;
  /** What it printed so far (stdout and stderr, the last 64 kB). */
  output(): string;
  /** SIGKILL: the process ends mid-step, as in a crash or an out-of-memory kill. */
  kill(): Promise<void>;
  /** SIGSTOP: the process hangs (connections are still accepted by the kernel, nothing answers). */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Sends `signal` (a Ctrl-C, a service stop) and answers whether the process ended within `withinMs`. */
  stop(signal: NodeJS.Signals, withinMs: number): Promise<boolean>;
}

const ROOT = join(__dirname, '..', '..');

/** The cloud as its own process (its build, as `npm start` runs it), for tests that kill it for real. */
export async function spawnCloud(options: { port: number; env: Record<string, string>; readyMs?: number }): Promise<CloudProcess> {
  const child: ChildProcess = spawn(process.execPath, [appMain('cloud')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', CLOUD_HOST: '127.0.0.1', CLOUD_PORT: String(options.port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-65536)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  // Starting the cloud (and PGlite, when embedded) takes up to a minute on a busy two-core machine.
  await waitForHealth(child, `${url}/health`, { name: 'cloud process', timeoutMs: options.readyMs ?? 180_000, log: () => stderr });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: async (signal, withinMs) => {
      if (child.exitCode === null) child.kill(signal);
      return Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs))]);
    },
  };
}
