import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';

/** The file in a data folder naming the process that holds it. */
export const LOCK_FILE = 'cos.lock';

/** Who holds a data folder: its pid and the address it serves on. */
export interface DataFolderHolder {
  pid: number;
  address: string;
}

/** The lock file's content: the holder, and its command line to tell it from a later process given the same pid. */
interface LockContent extends DataFolderHolder {
  cmdline?: string;
}

/**
 * Takes the data folder `dir` for this process, before anything in it is touched: answers null
 * once held (removed when the process exits by itself; a process ended by a signal, Ctrl-C
 * included, leaves it, and the next start takes it over), or the live process that holds it already.
 *
 * The lock file is written whole under a name of its own and linked into place, so it appears
 * with its content, and only one of two starts links it. A lock whose process is gone (killed,
 * crashed) or whose pid now runs another command line (reused) is taken over.
 */
export function holdDataFolder(dir: string, address: string): DataFolderHolder | null {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, address, cmdline: cmdlineOf(process.pid) ?? undefined };
  const draft = join(dir, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(draft, `${JSON.stringify(mine)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (tryLink(draft, lock)) {
        process.once('exit', () => release(lock));
        return null;
      }
      const holder = readHolder(lock);
      if (holder && isLiveHolder(holder)) return { pid: holder.pid, address: holder.address };
      // Stale: its process is gone. A second start taking it over at the same moment finds ours.
      rmSync(lock, { force: true });
    }
    const holder = readHolder(lock);
    return holder ? { pid: holder.pid, address: holder.address } : { pid: 0, address: 'unknown' };
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Whether something already listens on `host:port` (a probe that binds and lets go at once). */
export function portTaken(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readHolder(lock: string): LockContent | null {
  try {
    const holder = JSON.parse(readFileSync(lock, 'utf8')) as Partial<LockContent>;
    if (!Number.isInteger(holder.pid)) return null;
    return {
      pid: holder.pid!,
      address: String(holder.address ?? ''),
      cmdline: typeof holder.cmdline === 'string' ? holder.cmdline : undefined,
    };
  } catch {
    return null;
  }
}

/**
 * A live process other than this one, running the command line the lock recorded (else, with no
 * record, a node program): a pid reused by anything else holds nothing.
 */
function isLiveHolder(holder: LockContent): boolean {
  const { pid } = holder;
  if (pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = cmdlineOf(pid);
  // No /proc (not Linux): trust the signal check. On Linux, a process just ended.
  if (cmdline === null) return process.platform !== 'linux';
  if (holder.cmdline) return cmdline === holder.cmdline;
  return /node/i.test(basename(cmdline.split('\0')[0] ?? ''));
}

function cmdlineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
}

function release(lock: string): void {
  if (readHolder(lock)?.pid === process.pid) rmSync(lock, { force: true });
}
