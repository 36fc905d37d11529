/**
 * `npm start` as a person runs it: the time from the command until the cloud and the agent both
 * answer `/health`, on the default install (embedded database). The first round starts as the
 * checkout is (it builds whatever changed since the last build, and creates the data folders);
 * the next BENCH_ROUNDS start again with nothing changed, on the same data. Each round also
 * checks what the start printed: the console's URL, and none of Nest's route-mapping lines.
 * Beside the wall time, the CPU seconds the cloud and the agent had used when both answered (read
 * from /proc): on a shared, loaded machine the wall time grows with the load, the CPU time not.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stats, table } from './support';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLOUD_PORT = 3931;
const AGENT_PORT = 54391;
const ROOT = join(__dirname, '..');

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Ends `npm start` and everything it started (its own process group). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function startOnce(env: Record<string, string>): Promise<{ seconds: number; cpu: number; output: string }> {
  const started = performance.now();
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
      if ((await answers(`http://127.0.0.1:${CLOUD_PORT}/health`)) && (await answers(`http://127.0.0.1:${AGENT_PORT}/health`))) break;
      if (performance.now() - started > 600_000) throw new Error(`npm start did not become healthy:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    // Nest's lines name their process: the cloud's and the agent's.
    const pids = [...new Set([...output.matchAll(/\[Nest\] (\d+)/g)].map((m) => Number(m[1])))];
    const cpu = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    // The console line follows the cloud's listening; give the pipe a moment to deliver it.
    for (let i = 0; i < 50 && !output.includes('console: '); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return { seconds, cpu, output };
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cos-bench-start-'));
  const env = {
    CLOUD_PORT: String(CLOUD_PORT),
    CLOUD_DATA_DIR: join(work, 'cloud'),
    AGENT_PORT: String(AGENT_PORT),
    AGENT_DATA_DIR: join(work, 'agent'),
    CLOUD_URL: `http://127.0.0.1:${CLOUD_PORT}`,
  };
  try {
    const rows: Record<string, string>[] = [];
    const again: number[] = [];
    const againCpu: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const { seconds, cpu, output } = await startOnce(env);
      if (round > 0) {
        again.push(seconds);
        againCpu.push(cpu);
      }
      const consoleLine = output.match(/^.*console: (\S+)$/m)?.[1] ?? 'not printed';
      const routeLines = output.split('\n').filter((line) => /RouterExplorer|RoutesResolver/.test(line)).length;
      const built = output.match(/build: \S+ built in [\d.]+ s/g)?.join(', ') ?? 'nothing built';
      rows.push({
        start: round === 0 ? 'first (as the checkout is)' : `again #${round}`,
        'to healthy': `${seconds.toFixed(1)} s`,
        'cloud + agent CPU': `${cpu.toFixed(1)} s`,
        build: built,
        'console line': consoleLine,
        'route-mapping lines': String(routeLines),
      });
    }
    table(rows);
    console.log(
      `\nagain, nothing changed (${again.length} starts): to healthy median ${stats(again).p50.toFixed(1)} s, ` +
        `cloud + agent CPU median ${stats(againCpu).p50.toFixed(1)} s; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
