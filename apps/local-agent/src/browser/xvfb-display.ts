import { spawn } from 'node:child_process';
import { isAlive } from './firefox-process';

const START_TIMEOUT_MS = 15_000;

/**
 * An X display of one window's own, sized to its fingerprint's screen, for a headful Firefox on a
 * machine without a display: the screen, `device-width` media queries and window sizes then agree,
 * and WebGL works (headless Firefox has none). Xvfb picks a free display number itself
 * (-displayfd) and runs in its own process group, so it outlives an agent restart with its window.
 */
export function startXvfb(width: number, height: number): Promise<{ pid: number; display: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'Xvfb',
      ['-displayfd', '1', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-nolisten', 'unix-abstract'],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      if (child.pid && isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`Xvfb did not start: ${why}`));
    };
    const timer = setTimeout(() => fail('no display number in time'), START_TIMEOUT_MS);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const number = /^(\d+)\n/.exec(out);
      if (!number || !child.pid) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.unref();
      resolve({ pid: child.pid, display: `:${number[1]}` });
    });
  });
}

export function stopXvfb(pid: number | undefined): void {
  if (pid && isAlive(pid)) process.kill(pid, 'SIGTERM');
}
