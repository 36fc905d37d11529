import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Opens `count` connections to `GET /events` that never read a byte, with the small buffers of a
 * client on a real network: a small receive buffer, and a small segment size, so the cloud's side
 * of each connection does not grow the megabytes of send buffer a loopback connection gets.
 * Node sets neither, so a few lines of Python hold the sockets.
 */
const HOLDER = `
import json, socket, sys
host, port, token, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1200)
    s.connect((host, port))
    s.sendall(("GET /events HTTP/1.1\\r\\nHost: %s\\r\\nAuthorization: Bearer %s\\r\\nAccept: text/event-stream\\r\\n\\r\\n" % (host, token)).encode())
    socks.append(s)
print("ready", flush=True)
sys.stdin.readline()
# Now read what is left: a connection the cloud let go ends (or is reset) soon.
closed = 0
for s in socks:
    s.settimeout(0.1)
    try:
        while s.recv(65536):
            pass
        closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
print(json.dumps({"closed": closed}), flush=True)
`;

export interface StalledStreams {
  /** Reads every connection to its end (a tenth of a second each at most) and answers how many the cloud had closed. */
  closedCount(): Promise<number>;
  stop(): void;
}

export async function openStalledStreams(url: string, token: string, count: number): Promise<StalledStreams> {
  const { hostname, port } = new URL(url);
  const child = spawn('python3', ['-c', HOLDER, hostname, port, token, String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`stalled streams did not open: ${String(first.value)}`);
  return {
    async closedCount() {
      child.stdin.write('check\n');
      const line = await lines.next();
      return (JSON.parse(String(line.value)) as { closed: number }).closed;
    },
    stop: () => void child.kill('SIGKILL'),
  };
}
