import { INestApplication } from '@nestjs/common';
import { AbstractLoader, ExpressLoader } from '@nestjs/serve-static';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/cloud/src/app.module';
import { configureCloudApp } from '../../apps/cloud/src/bootstrap';
import { CloudConfig, loadCloudConfig } from '../../apps/cloud/src/config/cloud-config';
import { createTestDatabase, TestDatabase } from './database';

export interface Envelope<T = any> {
  code: number;
  msg: string;
  data: T;
}

export interface CloudHarness {
  app: INestApplication;
  /** Set when started with `listen: true`. */
  url: string;
  db: DataSource;
  config: CloudConfig;
  dataDir: string;
  /** POST a JSON body, optionally as a Bearer token; resolves to the envelope. */
  post<T = any>(path: string, body?: unknown, token?: string): Promise<Envelope<T>>;
  raw(): ReturnType<typeof request>;
  signToken(payload: object, options?: { expiresIn?: number }): string;
  close(): Promise<void>;
}

/**
 * A real cloud app on a fresh PostgreSQL database with the real migrations. `env` overrides the
 * configuration; with `embedded: true` (and no DATABASE_URL) it runs on PGlite in `dataDir`.
 * With `databaseUrl` it uses (and keeps) that database, and `port` fixes where it listens, so a
 * test can stop the cloud and start it again where agents expect it.
 */
export async function startCloud(
  options: {
    env?: Record<string, string>;
    embedded?: boolean;
    dataDir?: string;
    listen?: boolean;
    databaseUrl?: string;
    port?: number;
  } = {},
): Promise<CloudHarness> {
  const database: TestDatabase | null = options.embedded || options.databaseUrl ? null : await createTestDatabase();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cos-cloud-'));
  const config = loadCloudConfig({
    NODE_ENV: 'test',
    CLOUD_DATA_DIR: dataDir,
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    LOGIN_THROTTLE_LIMIT: '1000',
    LOGIN_ADDRESS_THROTTLE_LIMIT: '100000',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(CloudConfig)
    .useValue(config)
    // NestFactory.create has its HTTP adapter before modules start; a testing module gets it later,
    // and serve-static would fall back to serving nothing. The console is served as in production.
    .overrideProvider(AbstractLoader)
    .useValue(new ExpressLoader())
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error', 'warn'] });
  configureCloudApp(app);
  if (options.listen) await app.listen(options.port ?? 0, '127.0.0.1');
  else await app.init();
  const server = app.getHttpServer();
  const address = server.address();
  const jwt = app.get(JwtService);
  return {
    app,
    url: address && typeof address === 'object' ? `http://127.0.0.1:${address.port}` : '',
    db: app.get(DataSource),
    config,
    dataDir,
    async post(path, body = {}, token) {
      const req = request(server).post(path).set('Content-Type', 'application/json');
      if (token) req.set('Authorization', `Bearer ${token}`);
      const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body));
      return res.body;
    },
    raw: () => request(server),
    signToken: (payload, signOptions = {}) => jwt.sign(payload, { expiresIn: signOptions.expiresIn ?? 900 }),
    async close() {
      await app.close();
      await database?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
