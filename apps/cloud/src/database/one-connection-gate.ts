import type { Server, Socket } from 'node:net';

/** How long a connection waits for the one before it to end, in ms, before it is refused. */
export const GATE_WAIT_MS = 2_000;
/** How many connections may wait at once; any more are refused on arrival. */
export const GATE_MAX_WAITING = 4;
/** How long the server's reset between two connections may take before the next is served anyway. */
const RESET_BOUND_MS = 5_000;

interface Waiting {
  socket: Socket;
  timer: NodeJS.Timeout;
}

/**
 * Hands the embedded database's socket connections to its server one at a time.
 *
 * pglite-socket counts a connection as held until a turn of the event loop after its socket
 * closes, and refuses any that arrives meanwhile by writing text and half-closing, which `pg`
 * never answers: a pool replacing a cut connection at once was refused, and the refused socket
 * then kept the server's one place taken, so no connection got in again until a restart. Here a
 * connection that arrives while another is held waits until that one has closed and the server
 * has let it go and been reset (`reset`), for at most `GATE_WAIT_MS`, and is then served at once
 * (`serve` must take the socket before it returns, so the server sees it close however soon that
 * happens); a socket the server has finished writing to is closed, so it cannot keep the place.
 */
export class OneConnectionGate {
  /** A socket is held, or the server is being reset after one. */
  private busy = false;
  private closed = false;
  private readonly waiting: Waiting[] = [];

  /**
   * Takes over `server`'s connections from its own listeners: each goes to `serve` in its turn,
   * after `reset` has cleared what the one before it left in the server.
   */
  constructor(
    server: Server,
    private readonly serve: (socket: Socket) => void,
    private readonly reset: () => Promise<unknown>,
  ) {
    server.removeAllListeners('connection');
    // The server's own limit would drop waiting sockets before they reach the gate.
    server.maxConnections = 1 + GATE_MAX_WAITING;
    server.on('connection', (socket: Socket) => this.arrive(socket));
  }

  /** Refuses the waiting connections and any later one; the held one is left to the server. */
  close(): void {
    this.closed = true;
    for (const entry of [...this.waiting]) this.refuse(entry);
  }

  private arrive(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.closed || (this.busy && this.waiting.length >= GATE_MAX_WAITING)) {
      socket.destroy();
      return;
    }
    if (!this.busy) return this.admit(socket);
    const entry: Waiting = { socket, timer: setTimeout(() => this.refuse(entry), GATE_WAIT_MS) };
    this.waiting.push(entry);
    socket.once('close', () => this.refuse(entry));
  }

  private refuse(entry: Waiting): void {
    const at = this.waiting.indexOf(entry);
    if (at === -1) return;
    this.waiting.splice(at, 1);
    clearTimeout(entry.timer);
    entry.socket.destroy();
  }

  private admit(socket: Socket): void {
    this.busy = true;
    // Ended by the server (it refused or let go): close it rather than wait for the client.
    socket.once('finish', () => socket.destroy());
    whenClosed(socket, () => void this.next());
    this.serve(socket);
  }

  private async next(): Promise<void> {
    // The server lets the closed connection go (and drops what it had queued) a turn later.
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.reset().catch(() => undefined), new Promise((resolve) => (bound = setTimeout(resolve, RESET_BOUND_MS)))]);
    clearTimeout(bound);
    this.busy = false;
    for (let entry = this.waiting.shift(); entry; entry = this.waiting.shift()) {
      clearTimeout(entry.timer);
      // Gone while it waited, its close not yet told: the server must never get a closed socket.
      if (entry.socket.destroyed) continue;
      return this.admit(entry.socket);
    }
  }
}

/**
 * Calls `then` once `socket` has closed, also when the server drops every 'close' listener on
 * it (pglite-socket does, when it lets a connection go after an error, before the close).
 */
function whenClosed(socket: Socket, then: () => void): void {
  let told = false;
  const tell = () => {
    if (told) return;
    told = true;
    then();
  };
  socket.once('close', tell);
  const removeAll = socket.removeAllListeners.bind(socket);
  socket.removeAllListeners = (...events: (string | symbol)[]) => {
    removeAll(...events);
    if (events.length === 0 || events[0] === 'close') {
      if (socket.closed) tell();
      else socket.once('close', tell);
    }
    return socket;
  };
}
