/**
 * The agent's proxy bridge against a client talking straight to the same local proxy, in one run:
 * page loads (a CONNECT tunnel, TLS and a 100 KB page each) and a 100 MB download. As in real use,
 * the client, the bridge and the remote side (proxy and site) are three processes.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import https from 'node:https';
import { AddressInfo, connect, createServer as createNetServer, Socket } from 'node:net';
import { ProxyAgent } from 'proxy-agent';
import { openProxyRoute } from '@cos/proxy-kit';
import { selfSignedCertificate, startHttpProxy } from '../test/support/proxies';
import { ms, ratio, table, timed } from './support';

const AUTH = { username: 'bench', password: 'bench-secret' };
const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 200);
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
/** One-way delay between this machine and the proxy in the latency scenario. */
const DELAY_MS = Number(process.env.BENCH_PROXY_DELAY_MS ?? 10);
/** Its link speed in Mbit/s. */
const LINK_MBIT = Number(process.env.BENCH_PROXY_LINK_MBIT ?? 1000);

/** GETs `url` through `proxyUrl` on a new tunnel; resolves with the bytes received. */
function fetchThrough(proxyUrl: string, url: string): Promise<number> {
  const agent = new ProxyAgent({ getProxyForUrl: () => proxyUrl });
  return new Promise<number>((resolve, reject) => {
    https
      .get(url, { agent, rejectUnauthorized: false }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      })
      .on('error', reject);
  }).finally(() => agent.destroy());
}

/** The remote side in its own process: the customer's proxy (with credentials) and an https site. */
async function runRemote(): Promise<void> {
  const tls = selfSignedCertificate();
  const page = randomBytes(100 * 1024);
  const chunk = randomBytes(1024 * 1024);
  const site = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (req.url === '/download') {
      res.writeHead(200, { 'Content-Length': DOWNLOAD_BYTES });
      let sent = 0;
      const pump = () => {
        while (sent < DOWNLOAD_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else {
      res.end(page);
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const upstream = await startHttpProxy({ auth: AUTH });
  const delayed = await startLinkRelay(upstream.port, DELAY_MS, (LINK_MBIT * 1_000_000) / 8 / 1000);
  process.send!({ sitePort: (site.address() as AddressInfo).port, proxyPort: upstream.port, delayedPort: delayed });
}

/**
 * The proxy as if it were across a real link: every chunk, each way, waits its turn on a link of
 * `bytesPerMs` and then `delayMs` more, in order; a sender far ahead of the link is paused.
 */
async function startLinkRelay(targetPort: number, delayMs: number, bytesPerMs: number): Promise<number> {
  const direct = (from: Socket, to: Socket) => {
    let linkFreeAt = 0;
    const queue: { at: number; data: Buffer | null }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const drain = () => {
      timer = null;
      while (queue.length > 0 && queue[0].at <= performance.now()) {
        const { data } = queue.shift()!;
        if (data) to.write(data);
        else to.end();
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].at - performance.now());
      if (from.isPaused() && linkFreeAt - performance.now() < 25) from.resume();
    };
    const enqueue = (data: Buffer | null) => {
      const now = performance.now();
      linkFreeAt = Math.max(linkFreeAt, now) + (data?.length ?? 0) / bytesPerMs;
      queue.push({ at: linkFreeAt + delayMs, data });
      if (linkFreeAt - now > 50) from.pause();
      timer ??= setTimeout(drain, queue[0].at - now);
    };
    from.on('data', (data: Buffer) => enqueue(data));
    from.on('end', () => enqueue(null));
    from.on('error', () => to.destroy());
  };
  const relay = createNetServer((client) => {
    const target = connect(targetPort, '127.0.0.1');
    direct(client, target);
    direct(target, client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return (relay.address() as AddressInfo).port;
}

/** The bridge in its own process, as in the agent. */
async function runBridge(proxyPort: number): Promise<void> {
  const route = await openProxyRoute({ type: 'http', host: '127.0.0.1', port: proxyPort, ...AUTH }, { timeoutMs: 5000 });
  process.send!({ bridgeUrl: route.clientUrl });
  // asked, the bridge tells how much CPU it has used so far (microseconds, user + system)
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system });
  });
}

function bridgeCpuMs(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros / 1000));
    child.send('cpu');
  });
}

function forkRole<T>(role: string, ...args: string[]): Promise<{ child: ChildProcess; message: T }> {
  const child = fork(__filename, [role, ...args], { execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, message: message as T }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

interface Measured {
  page: { p50: number; p90: number };
  downloadMs: number;
}

/** Page loads alternating between the two paths (so both see the same machine state), then downloads. */
async function measure(
  paths: { straight: string; bridged: string },
  siteUrl: string,
  loads: number,
  bridge: ChildProcess,
): Promise<Record<'straight' | 'bridged', Measured> & { bridgeCpuMs: number }> {
  for (let i = 0; i < 10; i++) {
    await fetchThrough(paths.straight, `${siteUrl}/page`);
    await fetchThrough(paths.bridged, `${siteUrl}/page`);
  }
  const samples = { straight: [] as number[], bridged: [] as number[] };
  for (let i = 0; i < loads; i++) {
    for (const path of ['straight', 'bridged'] as const)
      samples[path].push((await timed(() => fetchThrough(paths[path], `${siteUrl}/page`)))[0]);
  }
  const downloads = { straight: [] as number[], bridged: [] as number[] };
  let bridgeCpu = Infinity;
  for (let i = 0; i < 3; i++) {
    downloads.straight.push((await timed(() => fetchThrough(paths.straight, `${siteUrl}/download`)))[0]);
    const cpuBefore = await bridgeCpuMs(bridge);
    downloads.bridged.push((await timed(() => fetchThrough(paths.bridged, `${siteUrl}/download`)))[0]);
    bridgeCpu = Math.min(bridgeCpu, (await bridgeCpuMs(bridge)) - cpuBefore);
  }
  const summary = (path: 'straight' | 'bridged'): Measured => {
    const sorted = [...samples[path]].sort((x, y) => x - y);
    return {
      page: { p50: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] },
      downloadMs: Math.min(...downloads[path]),
    };
  };
  return { straight: summary('straight'), bridged: summary('bridged'), bridgeCpuMs: bridgeCpu };
}

export async function benchProxyBridge(): Promise<[string, boolean][]> {
  const remote = await forkRole<{ sitePort: number; proxyPort: number; delayedPort: number }>('remote');
  const siteUrl = `https://127.0.0.1:${remote.message.sitePort}`;
  const scenarios = [
    { name: 'loopback, no latency', port: remote.message.proxyPort, loads: PAGE_LOADS },
    {
      name: `${2 * DELAY_MS} ms round trip, ${LINK_MBIT} Mbit/s to the proxy`,
      port: remote.message.delayedPort,
      loads: Math.ceil(PAGE_LOADS / 4),
    },
  ];
  const verdicts: [string, boolean][] = [];
  const rows: Record<string, string>[] = [];
  const mbps = (t: number) => `${(DOWNLOAD_BYTES / 1048576 / (t / 1000)).toFixed(0)} MB/s`;
  try {
    for (const scenario of scenarios) {
      const bridge = await forkRole<{ bridgeUrl: string }>('bridge', String(scenario.port));
      try {
        const m = await measure(
          { straight: `http://${AUTH.username}:${AUTH.password}@127.0.0.1:${scenario.port}`, bridged: bridge.message.bridgeUrl },
          siteUrl,
          scenario.loads,
          bridge.child,
        );
        rows.push(
          {
            proxy: scenario.name,
            what: 'page load p50',
            straight: ms(m.straight.page.p50),
            'through bridge': ms(m.bridged.page.p50),
            ratio: ratio(m.bridged.page.p50, m.straight.page.p50),
          },
          {
            proxy: scenario.name,
            what: 'page load p90',
            straight: ms(m.straight.page.p90),
            'through bridge': ms(m.bridged.page.p90),
            ratio: ratio(m.bridged.page.p90, m.straight.page.p90),
          },
          {
            proxy: scenario.name,
            what: '100 MB download',
            straight: `${ms(m.straight.downloadMs)} (${mbps(m.straight.downloadMs)})`,
            'through bridge': `${ms(m.bridged.downloadMs)} (${mbps(m.bridged.downloadMs)})`,
            ratio: ratio(m.bridged.downloadMs, m.straight.downloadMs),
          },
          {
            proxy: scenario.name,
            what: 'bridge CPU for 100 MB',
            straight: '',
            'through bridge': `${ms(m.bridgeCpuMs)} (ceiling ${mbps(m.bridgeCpuMs)} per core)`,
            ratio: '',
          },
        );
        verdicts.push(
          [`bridge page load <= 1.10x straight to the proxy (${scenario.name})`, m.bridged.page.p50 <= 1.1 * m.straight.page.p50],
          [`bridge 100 MB download <= 1.10x straight to the proxy (${scenario.name})`, m.bridged.downloadMs <= 1.1 * m.straight.downloadMs],
        );
      } finally {
        bridge.child.kill();
      }
    }
  } finally {
    remote.child.kill();
  }
  console.log(
    `\nproxy bridge: http proxy with credentials; page load = new CONNECT tunnel + TLS + 100 KB (${PAGE_LOADS} loads, a quarter with latency); 100 MB download, best of 3; client, bridge and proxy+site are three processes`,
  );
  table(rows);
  return verdicts;
}

if (process.argv[2] === 'remote') {
  void runRemote();
} else if (process.argv[2] === 'bridge') {
  void runBridge(Number(process.argv[3]));
} else if (require.main === module) {
  benchProxyBridge()
    .then((verdicts) => {
      for (const [target, met] of verdicts) console.log(`${met ? 'met    ' : 'MISSED '} ${target}`);
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
