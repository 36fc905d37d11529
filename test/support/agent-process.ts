import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CloudClient } from '@cos/cloud-client';
import { loadAgentConfig } from '../../apps/local-agent/src/config/agent-config';
import { FileSessionStore, LocalToken } from '../../apps/local-agent/src/identity/agent-files';
import type { Envelope } from './cloud-app';
import { freePort } from './proxies';
import { appMain } from './built-app';
import { waitForHealth } from './wait-for-health';

export interface AgentProcess {
  url: string;
  pid: number;
  dataDir: string;
  post<T = any>(path: string, body?: unknown): Promise<Envelope<T>>;
  /** The local token, for calls made without `post`. */
  token: string;
  /** The device the cloud issued to its session. */
  deviceId: string;
  /** SIGKILL: the agent ends mid-step, as in a crash or an out-of-memory kill. */
  kill(): Promise<void>;
  /** Sends `signal` (a Ctrl-C, a service stop) and answers whether the process ended within `withinMs`. */
  stop(signal: NodeJS.Signals, withinMs: number): Promise<boolean>;
}

const ROOT = join(__dirname, '..', '..');

/** The agent as its own process (its build, as `npm start` runs it), signed in, for tests that kill it for real. */
export async function spawnAgent(options: {
  cloudUrl: string;
  dataDir: string;
  email: string;
  password: string;
  env?: Record<string, string>;
}): Promise<AgentProcess> {
  const port = await freePort();
  const env = {
    AGENT_DATA_DIR: options.dataDir,
    CLOUD_URL: options.cloudUrl,
    AGENT_HEADLESS: '1',
    AGENT_PORT: String(port),
    AGENT_PROXY_PROBE_TARGET: '127.0.0.1:9',
    ...options.env,
  };
  const config = loadAgentConfig({ ...process.env, ...env });
  const { deviceId } = await new CloudClient(options.cloudUrl, new FileSessionStore(config)).login(options.email, options.password);
  const token = new LocalToken(config).current();
  const child: ChildProcess = spawn(process.execPath, [appMain('local-agent')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(child, `${url}/health`, { name: 'agent process', timeoutMs: 90_000, log: () => stderr });
  return {
    url,
    pid: child.pid!,
    dataDir: options.dataDir,
    token,
    deviceId: deviceId!,
    async post(path, body = {}) {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Cos-Local-Token': token },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Envelope;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async (signal, withinMs) => {
      if (child.exitCode === null) child.kill(signal);
      return Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs))]);
    },
  };
}
