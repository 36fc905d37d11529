import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudProcess, spawnCloud } from '../support/cloud-process';
import { ensureConsoleBuilt } from '../support/console-build';
import { freePort } from '../support/proxies';

/** What a person starting the cloud on the default install sees. */
describe('the cloud starting on the default install', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-start-'));
  let cloud: CloudProcess;
  beforeAll(async () => {
    const port = await freePort();
    // A first start on a new data folder creates the embedded database: the slowest start there is.
    cloud = await spawnCloud({ port, env: { CLOUD_DATA_DIR: dataDir, CONSOLE_DIR: ensureConsoleBuilt() }, readyMs: 170_000 });
  }, 180_000);
  afterAll(async () => {
    await cloud?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the console's URL once it answers, and none of Nest's route mapping", async () => {
    const line = `console: ${cloud.url}/`;
    const deadline = Date.now() + 10_000;
    while (!cloud.output().split('\n').includes(line)) {
      if (Date.now() > deadline) throw new Error(`no "${line}" in:\n${cloud.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await fetch(`${cloud.url}/`)).status).toBe(200);
    expect(cloud.output()).toContain('embedded PostgreSQL (PGlite)');
    expect(cloud.output()).not.toMatch(/RoutesResolver|RouterExplorer|InstanceLoader|Mapped \{/);
  });
});
