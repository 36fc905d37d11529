import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, ConnectConfig } from 'ssh2';
import { isPrivateKey, ProxyEndpoint, ProxyFailure } from './proxy-endpoint';
import { BridgeGate } from './bridge-gate';
import type { ProxyRoute, RouteOptions } from './route-types';

/** Opens TCP streams through the SSH connection (`direct-tcpip`): names resolve on the SSH server. */
class SshForwardAgent extends http.Agent {
  constructor(private readonly ssh: Client) {
    super({ keepAlive: false });
  }

  override createConnection(
    options: { host?: string | null; port?: number | null },
    done: (error: Error | null, stream?: Duplex) => void,
  ): undefined {
    this.ssh.forwardOut('127.0.0.1', 0, options.host ?? 'localhost', Number(options.port ?? 80), (error, stream) =>
      done(error ?? null, stream),
    );
    return undefined;
  }
}

function connectSsh(endpoint: ProxyEndpoint, timeoutMs: number): Promise<Client> {
  const ssh = new Client();
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.username,
    readyTimeout: timeoutMs,
    keepaliveInterval: 15_000,
    ...(isPrivateKey(endpoint.password) ? { privateKey: endpoint.password.trim() } : { password: endpoint.password }),
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    // Errors after the outcome (a dropped connection) only fail the window's requests (502), never fall back to direct.
    ssh.on('error', (error: Error & { code?: string; level?: string }) => {
      if (settled) return;
      settled = true;
      ssh.end();
      if (error.level === 'client-authentication') reject(new ProxyFailure('auth', endpoint));
      else if (error.code === 'ECONNREFUSED') reject(new ProxyFailure('refused', endpoint));
      else if (/timed out/i.test(error.message)) reject(new ProxyFailure('timeout', endpoint));
      else reject(new ProxyFailure('unreachable', endpoint, error.message));
    });
    ssh.once('ready', () => {
      settled = true;
      resolve(ssh);
    });
    ssh.connect(config);
  });
}

function splitHostPort(authority: string): { host: string; port: number } | null {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(authority);
  return match ? { host: match[1], port: Number(match[2]) } : null;
}

/**
 * An SSH tunnel as a local HTTP proxy: CONNECT and plain requests each become a `direct-tcpip`
 * channel of one SSH connection, so the browser's traffic and its name lookups leave from the
 * SSH server.
 */
export async function openSshBridge(endpoint: ProxyEndpoint, options: RouteOptions): Promise<ProxyRoute> {
  const ssh = await connectSsh(endpoint, options.timeoutMs);
  const agent = new SshForwardAgent(ssh);
  const sockets = new Set<Socket>();

  const gate = new BridgeGate();
  const server = http.createServer((req, res) => {
    const refusal = gate.check(req.headers['proxy-authorization']);
    if (refusal) {
      res.writeHead(refusal.status, refusal.headers).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(target, { method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const refusal = gate.check(req.headers['proxy-authorization']);
    if (refusal) {
      const headers = Object.entries(refusal.headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\n${headers.join('')}\r\n`);
      return;
    }
    const target = splitHostPort(req.url ?? '');
    if (!target) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    ssh.forwardOut('127.0.0.1', 0, target.host, target.port, (error, stream) => {
      if (error) {
        socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        return;
      }
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) stream.write(head);
      socket.pipe(stream).pipe(socket);
      socket.on('error', () => stream.destroy());
      stream.on('error', () => socket.destroy());
      socket.on('close', () => stream.destroy());
      stream.on('close', () => socket.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      ssh.end();
      reject(error);
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  let closed: Promise<void> | null = null;
  return {
    endpoint,
    browser: { type: 'http', host: '127.0.0.1', port, auth: { username: gate.username, password: gate.password } },
    clientUrl: `http://${gate.username}:${gate.password}@127.0.0.1:${port}`,
    bridged: true,
    challenge: () => gate.challenge(),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
        ssh.end();
      })),
  };
}
