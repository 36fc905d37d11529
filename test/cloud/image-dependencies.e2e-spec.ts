import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The packages the Dockerfile takes out of the cloud's image: what only the agent uses. */
function leftOutOfImage(): string[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const line = /npm pkg delete ([^\n]+?)\s*\\?\n/.exec(dockerfile)?.[1] ?? '';
  return [...line.matchAll(/'?dependencies\.([^\s']+)'?/g)].map((m) => m[1]);
}

/** The node_modules packages the cloud's modules load, all of them, as its process starts them. */
function packagesTheCloudLoads(): Promise<string[]> {
  const script = `
    require('reflect-metadata');
    require('./apps/cloud/src/app.module');
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')));
      if (m) names.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as string[]) : reject(new Error(`exited with ${code}`)))),
  );
}

describe("the cloud's image", () => {
  it('builds the console with the cloud, and leaves out only packages the cloud never loads', async () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/node tools\/build\.mjs cloud console/);
    const omitted = leftOutOfImage();
    const dependencies = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object }).dependencies,
    );
    expect(omitted).toEqual(expect.arrayContaining(['puppeteer-core', '@puppeteer/browsers', 'better-sqlite3']));
    // Each name is a dependency the agent has (a stale name would leave its package in the image).
    for (const name of omitted) expect([name, dependencies.includes(name)]).toEqual([name, true]);
    const loaded = await packagesTheCloudLoads();
    expect(loaded).toEqual(expect.arrayContaining(['@nestjs/core', 'pg', 'typeorm']));
    expect(omitted.filter((name) => loaded.includes(name))).toEqual([]);
  }, 300_000);
});
