import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const TOOL = pathToFileURL(join(__dirname, '..', '..', 'tools', 'build.mjs')).href;

/**
 * `npm start`'s build step (tools/build.mjs) on a target of its own in a scratch folder, run as
 * `npm start` runs it: one process per start. The target's build takes a while (BUILD_MS), logs
 * each run, and copies `src/app.txt` to `main.txt`.
 */
function builder(root: string, buildMs = 1000): ChildProcess {
  const script = `
    import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
    import { join } from 'node:path';
    import { ensureBuilt } from ${JSON.stringify(TOOL)};
    const root = ${JSON.stringify(root)};
    const target = {
      link: 'dist/app',
      inputs: ['src'],
      build: async (outDir) => {
        appendFileSync(join(root, 'builds.log'), process.pid + '\\n');
        mkdirSync(outDir, { recursive: true });
        await new Promise((resolve) => setTimeout(resolve, ${buildMs}));
        writeFileSync(join(outDir, 'main.txt'), readFileSync(join(root, 'src', 'app.txt')));
      },
    };
    console.log(JSON.stringify(await ensureBuilt('app', target, root)));
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function finished(child: ChildProcess): Promise<{ built: boolean; hash: string }> {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`build exited with ${code}`)))),
  );
}

const build = (root: string) => finished(builder(root));
const buildsRun = (root: string) => readFileSync(join(root, 'builds.log'), 'utf8').trim().split('\n').length;

describe("npm start's build step", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cos-build-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'app.txt'), 'first');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds nothing when nothing changed, and builds again when a source did', async () => {
    expect(await build(root)).toMatchObject({ built: true });
    expect(await build(root)).toMatchObject({ built: false });
    expect(buildsRun(root)).toBe(1);
    expect(readFileSync(join(root, 'dist', 'app', 'main.txt'), 'utf8')).toBe('first');

    writeFileSync(join(root, 'src', 'app.txt'), 'second');
    expect(await build(root)).toMatchObject({ built: true });
    expect(buildsRun(root)).toBe(2);
    expect(readFileSync(join(root, 'dist', 'app', 'main.txt'), 'utf8')).toBe('second');
  });

  it('leaves the build a running process started from in place while a new one replaces it', async () => {
    await build(root);
    // What a process started now resolves the link to, as Node does for its main module.
    const running = realpathSync(join(root, 'dist', 'app'));
    writeFileSync(join(root, 'src', 'app.txt'), 'second');
    await build(root);
    expect(realpathSync(join(root, 'dist', 'app'))).not.toBe(running);
    expect(readFileSync(join(running, 'main.txt'), 'utf8')).toBe('first');
    expect(readFileSync(join(root, 'dist', 'app', 'main.txt'), 'utf8')).toBe('second');
  });

  it('two starts at once build once, and both find the build complete', async () => {
    const [a, b] = await Promise.all([build(root), build(root)]);
    expect([a.built, b.built].sort()).toEqual([false, true]);
    expect(a.hash).toBe(b.hash);
    expect(buildsRun(root)).toBe(1);
    expect(readFileSync(join(root, 'dist', 'app', 'main.txt'), 'utf8')).toBe('first');
  });

  it('a start whose build was killed leaves nothing that stops the next', async () => {
    const doomed = builder(root, 60_000);
    const exited = new Promise((resolve) => doomed.on('exit', resolve));
    // Killed mid-build, holding the lock, its temporary folder half written.
    const deadline = Date.now() + 15_000;
    while (!existsSync(join(root, 'builds.log'))) {
      if (Date.now() > deadline) throw new Error('the build did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    doomed.kill('SIGKILL');
    await exited;
    expect(readdirSync(join(root, 'dist', 'builds')).some((entry) => entry.startsWith('.lock-'))).toBe(true);

    expect(await build(root)).toMatchObject({ built: true });
    expect(readFileSync(join(root, 'dist', 'app', 'main.txt'), 'utf8')).toBe('first');
    expect(readdirSync(join(root, 'dist', 'builds')).filter((entry) => entry.startsWith('.'))).toEqual([]);
    expect(readlinkSync(join(root, 'dist', 'app'))).toMatch(/^builds\/app-[0-9a-f]{16}$/);
  });
});
