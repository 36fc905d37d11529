import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdDataFolder, LOCK_FILE } from './data-folder-lock';

describe('holdDataFolder', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cos-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  const running = async (command: string, args: string[]): Promise<ChildProcess> => {
    const child = spawn(command, args, { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    return child;
  };
  const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const lockedBy = (content: object) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(content));

  it('takes a free folder, naming this process, and leaves no draft beside the lock', () => {
    expect(holdDataFolder(join(dir, 'new'), '127.0.0.1:1')).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, 'new', LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, address: '127.0.0.1:1' });
    expect(existsSync(join(dir, 'new', `${LOCK_FILE}.${process.pid}`))).toBe(false);
  });

  it('answers the live holder, and leaves its lock as it was', async () => {
    const holder = await running(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    lockedBy({ pid: holder.pid, address: '127.0.0.1:2', cmdline: cmdline(holder.pid!) });
    const before = readFileSync(join(dir, LOCK_FILE), 'utf8');
    expect(holdDataFolder(dir, '127.0.0.1:3')).toEqual({ pid: holder.pid, address: '127.0.0.1:2' });
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(before);
  });

  it('takes over the lock of a process that is gone (killed: the lock stayed)', async () => {
    const gone = await running(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    lockedBy({ pid: gone.pid, address: '127.0.0.1:2', cmdline: cmdline(gone.pid!) });
    gone.kill('SIGKILL');
    await new Promise((resolve) => gone.once('exit', resolve));
    expect(holdDataFolder(dir, '127.0.0.1:3')).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  });

  it('takes over a lock whose pid now runs another program (a reused pid)', async () => {
    const other = await running('sleep', ['60']);
    lockedBy({ pid: other.pid, address: '127.0.0.1:2', cmdline: 'node\0main.js\0' });
    expect(holdDataFolder(dir, '127.0.0.1:3')).toBeNull();
    lockedBy({ pid: other.pid, address: '127.0.0.1:2' });
    expect(holdDataFolder(dir, '127.0.0.1:3')).toBeNull();
  });

  it('takes over a lock naming this very process (a restart given the same pid) or nothing readable', () => {
    lockedBy({ pid: process.pid, address: '127.0.0.1:2' });
    expect(holdDataFolder(dir, '127.0.0.1:3')).toBeNull();
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(holdDataFolder(dir, '127.0.0.1:3')).toBeNull();
  });
});
