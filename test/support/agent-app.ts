import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudClient } from '@cos/cloud-client';
import { configureHttpApp } from '@cos/server-common';
import { AgentModule } from '../../apps/local-agent/src/agent.module';
import { AgentConfig, loadAgentConfig } from '../../apps/local-agent/src/config/agent-config';
import { FileSessionStore, LocalToken } from '../../apps/local-agent/src/identity/agent-files';
import type { Envelope } from './cloud-app';

export interface AgentHarness {
  app: INestApplication;
  config: AgentConfig;
  url: string;
  token: string;
  dataDir: string;
  /** POST to the Local API with the local token (or `options.token`) and the right Host header. */
  post<T = any>(path: string, body?: unknown, options?: { token?: string | null; host?: string }): Promise<Envelope<T>>;
  login(email: string, password: string): Promise<void>;
  /** Stops the agent; windows keep running, as when the agent process ends. */
  stop(): Promise<void>;
  /** Stops the agent and removes its data folder. */
  close(): Promise<void>;
}

export async function startAgent(options: { cloudUrl: string; dataDir?: string; env?: Record<string, string> }): Promise<AgentHarness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cos-agent-'));
  const config = loadAgentConfig({
    ...process.env,
    AGENT_DATA_DIR: dataDir,
    CLOUD_URL: options.cloudUrl,
    AGENT_HEADLESS: '1',
    AGENT_PORT: '0',
    AGENT_PROXY_PROBE_TARGET: '127.0.0.1:9',
    AGENT_PROXY_TIMEOUT_MS: '5000',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AgentModule] })
    .overrideProvider(AgentConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error', 'warn'] });
  configureHttpApp(app, { bodyLimit: '16mb' });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const token = new LocalToken(config).current();
  let stopped = false;
  const stop = async () => {
    if (!stopped) await app.close();
    stopped = true;
  };
  return {
    app,
    config,
    url,
    token,
    dataDir,
    async post(path, body = {}, postOptions = {}) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const localToken = postOptions.token === undefined ? token : postOptions.token;
      if (localToken !== null) headers['X-Cos-Local-Token'] = localToken;
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return (await res.json()) as Envelope;
    },
    async login(email, password) {
      await new CloudClient(options.cloudUrl, new FileSessionStore(config)).login(email, password);
    },
    stop,
    async close() {
      await stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
