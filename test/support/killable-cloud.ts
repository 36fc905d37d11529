import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudHarness, startCloud } from './cloud-app';
import { CloudProcess, spawnCloud } from './cloud-process';
import { createTestDatabase, TestDatabase } from './database';
import { freePort } from './proxies';

export interface KillableCloud {
  database: TestDatabase;
  /** The cloud's data folder (blobs, uploads under way), shared by both instances. */
  dataDir: string;
  /** A cloud instance in the test's process, on the same database and folder: for setting up and looking. */
  cloud: CloudHarness;
  /** The cloud process agents talk to, at `url`; a test may `kill()` it, and `restart()` it after. */
  process: CloudProcess;
  url: string;
  /** Starts the process again on the same port, database, folder and secrets. */
  restart(): Promise<CloudProcess>;
  close(): Promise<void>;
}

/** A fresh database with a cloud process on it the tests can kill, and a second instance to look through. */
export async function startKillableCloud(env: Record<string, string> = {}): Promise<KillableCloud> {
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-cloud-'));
  const port = await freePort();
  const cloud = await startCloud({ databaseUrl: database.url, env: { ...secrets, ...env }, dataDir });
  const spawnProcess = () => spawnCloud({ port, env: { ...secrets, DATABASE_URL: database.url, CLOUD_DATA_DIR: dataDir, ...env } });
  const killable: KillableCloud = {
    database,
    dataDir,
    cloud,
    process: await spawnProcess(),
    url: `http://127.0.0.1:${port}`,
    async restart() {
      killable.process = await spawnProcess();
      return killable.process;
    },
    async close() {
      await killable.process.kill();
      await cloud.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return killable;
}
