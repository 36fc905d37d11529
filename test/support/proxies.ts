import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer, AddressInfo, Server as NetServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as ChainServer } from 'proxy-chain';
import { Server as SshServer } from 'ssh2';

export interface Credentials {
  username: string;
  password: string;
}

export interface ProxyRequestSeen {
  /** Absolute URL of a plain request, or host:port of a CONNECT. */
  url: string;
  hostname: string;
  port: number;
  username: string;
  isHttp: boolean;
}

export interface TestHttpProxy {
  port: number;
  /** Every request the proxy accepted, in order (refused ones are not here). */
  seen: ProxyRequestSeen[];
  /** Absolute URLs of the plain requests it forwarded. */
  forwarded: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

/** A real forward proxy (proxy-chain) standing in for a customer's: http, or https with `tls`, credentials optional. */
export async function startHttpProxy(options: { auth?: Credentials; tls?: { key: string; cert: string } } = {}): Promise<TestHttpProxy> {
  const seen: ProxyRequestSeen[] = [];
  const state = { refused: 0 };
  const transport = options.tls
    ? { serverType: 'https' as const, httpsOptions: { key: options.tls.key, cert: options.tls.cert } }
    : { serverType: 'http' as const };
  const server = new ChainServer({
    port: 0,
    host: '127.0.0.1',
    ...transport,
    prepareRequestFunction: ({ request, username, password, hostname, port, isHttp }) => {
      if (options.auth && (username !== options.auth.username || password !== options.auth.password)) {
        state.refused += 1;
        return { requestAuthentication: true };
      }
      seen.push({ url: request.url ?? '', hostname, port, username, isHttp });
      return {};
    },
  });
  server.on('requestFailed', () => undefined);
  await server.listen();
  return {
    port: server.port,
    seen,
    get forwarded() {
      return seen.filter((s) => s.isHttp).map((s) => s.url);
    },
    get refused() {
      return state.refused;
    },
    close: () => server.close(true),
  };
}

export interface TestSocksProxy {
  port: number;
  /** Destinations as the client named them: a host name here means the name was resolved by the proxy. */
  destinations: { address: string; port: number }[];
  authFailures: number;
  close(): Promise<void>;
}

/**
 * A real SOCKS5 server (simple-socks) with username/password authentication. Names under
 * `.cos-test` resolve only here (to 127.0.0.1), as a proxy's own DNS would: a page on such a
 * name loads only when the browser left the lookup to the proxy.
 */
export async function startSocksProxy(auth: Credentials): Promise<TestSocksProxy> {
  type SimpleSocks = typeof import('simple-socks', { with: { 'resolution-mode': 'import' } });
  const loaded = (await import('simple-socks')) as SimpleSocks & { default?: SimpleSocks };
  const socks = typeof loaded.createServer === 'function' ? loaded : loaded.default;
  const destinations: TestSocksProxy['destinations'] = [];
  const state = { authFailures: 0 };
  const sockets = new Set<Socket>();
  const server = socks.createServer({
    authenticate: (username, password, socket, callback) => {
      if (username === auth.username && password === auth.password) return callback();
      state.authFailures += 1;
      // RFC 1929's two-byte refusal (version 1, status 1), as SOCKS servers answer it
      socket.end(Buffer.from([1, 1]));
    },
    connectionOptions: (destination, _origin, defaults, callback) =>
      callback(null, destination.address.endsWith('.cos-test') ? { ...defaults, host: '127.0.0.1' } : defaults),
    connectionFilter: (destination, _origin, callback) => {
      destinations.push({ address: destination.address, port: destination.port });
      callback();
    },
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    destinations,
    get authFailures() {
      return state.authFailures;
    },
    close: () => closeNet(server, sockets),
  };
}

/** A port that accepts connections and never answers: a proxy that times out. */
export async function startSilentServer(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections, close: () => closeNet(server, sockets) };
}

/** A port nothing listens on: a proxy that refuses. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function closeNet(server: NetServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cos-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=cos test proxy',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestSshd {
  port: number;
  user: string;
  /** A private key sshd accepts for `user`, and one it does not. */
  privateKey: string;
  strangerKey: string;
  /** What sshd logged: forwarded channels appear as "direct-tcpip" lines naming their target. */
  log(): string;
  close(): Promise<void>;
}

/** Debian's OpenSSH server on a free loopback port, accepting one generated key for the current user. */
export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'cos-sshd-'));
  const keygen = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)], { stdio: 'ignore' });
    return { privateKey: readFileSync(join(dir, name), 'utf8'), publicKey: readFileSync(join(dir, `${name}.pub`), 'utf8') };
  };
  keygen('host_key');
  const client = keygen('client_key');
  const stranger = keygen('stranger_key');
  writeFileSync(join(dir, 'authorized_keys'), client.publicKey, { mode: 0o600 });
  const port = await freePort();
  const user = execFileSync('id', ['-un']).toString().trim();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'AllowTcpForwarding yes',
      'LogLevel DEBUG2',
    ].join('\n') + '\n',
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let log = '';
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100 && !/Server listening/.test(log); i++) {
    if (child.exitCode !== null) throw new Error(`sshd did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    user,
    privateKey: client.privateKey,
    strangerKey: stranger.privateKey,
    log: () => log,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestPasswordSsh {
  port: number;
  /** Targets of the forwarded channels, as the client named them. */
  forwarded: { host: string; port: number }[];
  close(): Promise<void>;
}

/**
 * An SSH server that takes a password (ssh2's server side; Debian's sshd would need a system
 * account with that password), forwarding direct-tcpip channels like sshd does.
 */
export async function startPasswordSsh(auth: Credentials): Promise<TestPasswordSsh> {
  const dir = mkdtempSync(join(tmpdir(), 'cos-ssh2-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')], { stdio: 'ignore' });
  const hostKey = readFileSync(join(dir, 'host_key'));
  rmSync(dir, { recursive: true, force: true });
  const forwarded: TestPasswordSsh['forwarded'] = [];
  const clients = new Set<{ end(): void }>();
  const server = new SshServer({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === auth.username && ctx.password === auth.password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('tcpip', (accept, reject, info) => {
      forwarded.push({ host: info.destIP, port: info.destPort });
      const target = connect(info.destPort, info.destIP === 'localhost' ? '127.0.0.1' : info.destIP);
      target.once('error', () => reject());
      target.once('connect', () => {
        const channel = accept();
        channel.pipe(target).pipe(channel);
        channel.on('error', () => target.destroy());
        target.on('error', () => channel.destroy());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    forwarded,
    close: () => {
      for (const client of clients) client.end();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
