import type { ChildProcess } from 'node:child_process';

/**
 * Waits for a started process to answer `healthUrl` with a 2xx, asking every 200 ms. Throws as
 * soon as the process exits, or once `timeoutMs` has passed (the process is killed then); the
 * error names it and ends with `log()`, what it printed.
 */
export async function waitForHealth(
  child: ChildProcess,
  healthUrl: string,
  options: { name: string; timeoutMs: number; log?: () => string },
): Promise<void> {
  const log = options.log ?? (() => '');
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}: ${log()}`);
    const ready = await fetch(healthUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not become ready: ${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
