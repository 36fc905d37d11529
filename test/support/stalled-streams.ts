import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Opens `count` connections to `GET /events` that read nothing past the answer's headers, with the small buffers of a
 * client on a real network: a small receive buffer, and a small segment size, so the server's side
 * of each connection does not grow the megabytes of send buffer a loopback connection gets.
 * Node sets neither, so a few lines of Python hold the sockets.
 */
const HOLDER = `
import json, socket, sys
host, port, headers, count = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
request = "GET /events HTTP/1.1\\r\\nHost: %s:%d\\r\\n" % (host, port)
for name, value in headers.items():
    request += "%s: %s\\r\\n" % (name, value)
request += "Accept: text/event-stream\\r\\n\\r\\n"
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1200)
    s.connect((host, port))
    s.sendall(request.encode())
    socks.append(s)
# Ready once each answer's headers came: the stream is open on the server.
for s in socks:
    s.settimeout(10)
    head = b""
    while b"\\r\\n\\r\\n" not in head:
        data = s.recv(1)
        if not data:
            break
        head += data
print("ready", flush=True)
sys.stdin.readline()
# Now read what is left: a connection the server let go ends (or is reset) soon; a cut one ends
# with a stream.cut event, when it is read before the connection is dropped.
closed = 0
cuts = []
for s in socks:
    s.settimeout(0.1)
    tail = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            tail = (tail + data)[-4096:]
        closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
    at = tail.rfind(b"event: stream.cut\\ndata: ")
    if at >= 0:
        cuts.append(json.loads(tail[at:].split(b"\\n")[1][len(b"data: "):]))
print(json.dumps({"closed": closed, "cuts": cuts}), flush=True)
`;

export interface StreamCut {
  code: number;
  msg: string;
  lastEventId: number;
}

export interface StalledStreams {
  /** Reads every connection to its end (a tenth of a second each at most) and answers how many the server had closed. */
  closedCount(): Promise<number>;
  /** As `closedCount`, also answering the `stream.cut` events the connections ended with. Either reads once. */
  readToEnd(): Promise<{ closed: number; cuts: StreamCut[] }>;
  stop(): void;
}

/** `auth`: a Bearer token (the cloud), or the headers to send (the agent's local token). */
export async function openStalledStreams(url: string, auth: string | Record<string, string>, count: number): Promise<StalledStreams> {
  const { hostname, port } = new URL(url);
  const headers = typeof auth === 'string' ? { Authorization: `Bearer ${auth}` } : auth;
  const child = spawn('python3', ['-c', HOLDER, hostname, port, JSON.stringify(headers), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`stalled streams did not open: ${String(first.value)}`);
  const readToEnd = async () => {
    child.stdin.write('check\n');
    const line = await lines.next();
    return JSON.parse(String(line.value)) as { closed: number; cuts: StreamCut[] };
  };
  return {
    readToEnd,
    closedCount: async () => (await readToEnd()).closed,
    stop: () => void child.kill('SIGKILL'),
  };
}
