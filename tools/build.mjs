// @ts-check
/**
 * Builds what `npm start` runs — the cloud, the agent, the web console — only when its sources
 * changed, and never under a process that runs an earlier build.
 *
 * - Each target's inputs (its source folders, the shared configs, the lockfile, this file) are
 *   hashed. A finished build of that hash in `dist/builds/<target>-<hash>` is used as it is: a
 *   start with nothing changed compiles nothing.
 * - Otherwise it is built into a temporary folder of its own and renamed into place when
 *   complete; two builds of the same sources at once take turns on a lock file, and the second
 *   finds the first's build.
 * - The path everything runs (`dist/apps/cloud`, `dist/apps/local-agent`, `dist/console`) is a
 *   symlink switched to the new build by an atomic rename. A process started before keeps its own
 *   folder: Node resolves the symlink once, at start, and loads every module of the app then.
 * - Builds of a target that are not current are removed once newer ones replaced them more than
 *   an hour ago, keeping the last two.
 *
 * Plain JavaScript, checked by `tsc` (`tools/tsconfig.json`): it runs before anything is compiled,
 * and loading TypeScript itself would cost a start more than the rest of this work.
 *
 * Usage: node tools/build.mjs cloud local-agent console
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEEP_PREVIOUS = 2;
const PRUNE_AFTER_MS = 60 * 60 * 1000;
const SHARED = ['tsconfig.json', 'package-lock.json', 'tools/build.mjs'];

/**
 * @typedef {object} Target
 * @property {string} link where users of the build find it, relative to the root
 * @property {string[]} inputs folders (walked) and files the build reads, relative to the root
 * @property {(outDir: string) => Promise<void>} build writes a complete build into `outDir`
 */

/** @type {Record<string, Target>} */
export const TARGETS = {
  cloud: {
    link: 'dist/apps/cloud',
    inputs: ['apps/cloud', 'libs', 'nest-cli.json', ...SHARED],
    build: (outDir) => nestBuild('cloud', 'apps/cloud/tsconfig.app.json', outDir),
  },
  'local-agent': {
    link: 'dist/apps/local-agent',
    inputs: ['apps/local-agent', 'libs', 'nest-cli.json', ...SHARED],
    build: (outDir) => nestBuild('local-agent', 'apps/local-agent/tsconfig.app.json', outDir),
  },
  console: {
    link: 'dist/console',
    inputs: ['apps/console', 'libs/contracts', ...SHARED],
    // React's production build whatever NODE_ENV the caller has (jest sets `test`).
    build: (outDir) => run(['vite', 'build', 'apps/console', '--outDir', outDir, '--logLevel', 'warn'], { NODE_ENV: 'production' }),
  },
};

/**
 * `nest build` (which type-checks and rewrites the `@cos/*` paths) with the app's tsconfig but
 * another output folder.
 * @param {string} app
 * @param {string} tsconfig
 * @param {string} outDir
 */
async function nestBuild(app, tsconfig, outDir) {
  const config = `${outDir}.tsconfig.json`;
  writeFileSync(config, JSON.stringify({ extends: join(REPO, tsconfig), compilerOptions: { outDir } }));
  try {
    // The CLI takes the path relative to the folder it runs in.
    await run(['nest', 'build', app, '--path', relative(REPO, config)]);
  } finally {
    rmSync(config, { force: true });
  }
}

/**
 * Runs a binary of node_modules/.bin in the repository; rejects when it fails.
 * @param {string[]} command
 * @param {Record<string, string>} [env]
 */
function run([bin, ...args], env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO, 'node_modules', '.bin', bin), args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(undefined) : reject(new Error(`${bin} ${args.join(' ')} failed (${signal ?? code})`)),
    );
  });
}

/**
 * Every file under the inputs, sorted, with its contents, hashed. Unit tests and generated
 * folders are left out: they do not change what is built.
 * @param {string} root
 * @param {string[]} inputs
 */
export function hashInputs(root, inputs) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} path */
  const walk = (path) => {
    const stat = statSync(join(root, path), { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isFile()) {
      if (!/\.spec\.tsx?$/.test(path)) files.push(path);
      return;
    }
    for (const entry of readdirSync(join(root, path))) {
      if (entry !== 'node_modules' && entry !== 'dist' && !entry.startsWith('.')) walk(join(path, entry));
    }
  };
  inputs.forEach(walk);
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort())
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * The pid in a lock file (0 while its holder is still writing it), or null when there is none.
 * @param {string} lock
 */
function lockHolder(lock) {
  try {
    return Number(readFileSync(lock, 'utf8').trim() || 0);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Takes the lock of one build, or waits while a live process holds it. Resolves to a release
 * function, or to null when the build appeared meanwhile.
 * @param {string} lock
 * @param {string} done the build folder whose appearance ends the wait
 * @returns {Promise<(() => void) | null>}
 */
async function lockOrWait(lock, done) {
  for (;;) {
    if (existsSync(done)) return null;
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(lock);
    if (holder === null) continue;
    if (holder && !alive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Points `link` at `target` with one rename, so no process ever finds the path missing. A real
 * folder there (an output of `nest build` itself) is moved aside, not deleted.
 * @param {string} builds
 * @param {string} link absolute
 * @param {string} target absolute
 */
function switchLink(builds, link, target) {
  mkdirSync(dirname(link), { recursive: true });
  const existing = lstatSync(link, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink() && readlinkSync(link) === relative(dirname(link), target)) return;
  if (existing && !existing.isSymbolicLink()) renameSync(link, join(builds, `.moved-${Date.now()}-${process.pid}`));
  const temporary = `${link}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  symlinkSync(relative(dirname(link), target), temporary);
  renameSync(temporary, link);
}

/**
 * Removes builds of `name` other than `current` that were replaced long enough ago, and what
 * builds that died left behind.
 * @param {string} builds
 * @param {string} name
 * @param {string} current folder name
 */
function prune(builds, name, current) {
  const now = Date.now();
  const entries = readdirSync(builds).flatMap((entry) => {
    const stat = statSync(join(builds, entry), { throwIfNoEntry: false });
    return stat ? [{ entry, mtime: stat.mtimeMs }] : [];
  });
  const replaced = entries
    .filter(({ entry }) => entry.startsWith(`${name}-`) && entry !== current && /^[0-9a-f]{16}$/.test(entry.slice(name.length + 1)))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(KEEP_PREVIOUS);
  // A folder `nest build` wrote, moved aside: a process may have started from it.
  const moved = entries.filter(({ entry }) => entry.startsWith('.moved-'));
  for (const { entry, mtime } of [...replaced, ...moved]) {
    if (now - mtime > PRUNE_AFTER_MS) rmSync(join(builds, entry), { recursive: true, force: true });
  }
  // What a build that died left behind.
  for (const { entry } of entries) {
    const owner = /^\.tmp-.*-(\d+)(?:\.tsconfig\.json)?$/.exec(entry);
    if (owner && !alive(Number(owner[1]))) rmSync(join(builds, entry), { recursive: true, force: true });
  }
}

/**
 * Makes `name`'s build current, building it if no build of its sources exists. Resolves to what
 * happened, for the log.
 * @param {string} name
 * @param {Target} target
 * @param {string} [root] the folder the target's paths are relative to
 * @returns {Promise<{ built: boolean; hash: string }>}
 */
export async function ensureBuilt(name, target, root = REPO) {
  const builds = join(root, 'dist', 'builds');
  mkdirSync(builds, { recursive: true });
  const hash = hashInputs(root, target.inputs);
  const folder = `${name}-${hash}`;
  const final = join(builds, folder);
  let built = false;
  const release = await lockOrWait(join(builds, `.lock-${folder}`), final);
  if (release) {
    try {
      if (!existsSync(final)) {
        const temporary = join(builds, `.tmp-${folder}-${process.pid}`);
        rmSync(temporary, { recursive: true, force: true });
        await target.build(temporary);
        renameSync(temporary, final);
        built = true;
      }
    } finally {
      release();
    }
  }
  // Its time says when it last became current, for pruning.
  const now = new Date();
  utimesSync(final, now, now);
  switchLink(builds, join(root, target.link), final);
  prune(builds, name, folder);
  return { built, hash };
}

/** @param {string[]} names */
async function main(names) {
  const unknown = names.filter((name) => !(name in TARGETS));
  if (names.length === 0 || unknown.length > 0) {
    console.error(
      `usage: node tools/build.mjs ${Object.keys(TARGETS).join('|')}...${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
    process.exit(64);
  }
  // Every build ends (and releases its lock) before a failure is reported.
  const results = await Promise.allSettled(
    names.map(async (name) => {
      const started = Date.now();
      const { built, hash } = await ensureBuilt(name, TARGETS[name]);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(built ? `build: ${name} built in ${seconds} s (${hash})` : `build: ${name} up to date (${hash})`);
    }),
  );
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [/** @type {unknown} */ (result.reason)] : []));
  for (const error of failures) console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  if (failures.length > 0) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
