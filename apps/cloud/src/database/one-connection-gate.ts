import type { Server, Socket } from 'node:net';

/** How long a connection waits for the one before it to end, in ms, before it is refused. */
export const GATE_WAIT_MS = 2_000;
/** How many connections may wait at once; any more are refused on arrival. */
export const GATE_MAX_WAITING = 4;

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
 * connection that arrives while another is held waits until that one has closed, for at most
 * `GATE_WAIT_MS`, and is then served at once (`serve` must take the socket before it returns, so
 * the server sees it close however soon that happens); a socket the server has finished writing
 * to is closed, so it cannot keep the place.
 */
export class OneConnectionGate {
  private held: Socket | null = null;
  private closed = false;
  private readonly waiting: Waiting[] = [];

  /** Takes over `server`'s connections from its own listeners: each goes to `serve` in its turn. */
  constructor(
    server: Server,
    private readonly serve: (socket: Socket) => void,
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
    if (this.closed || (this.held && this.waiting.length >= GATE_MAX_WAITING)) {
      socket.destroy();
      return;
    }
    if (!this.held) return this.admit(socket);
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
    this.held = socket;
    // Ended by the server (it refused or let go): close it rather than wait for the client.
    socket.once('finish', () => socket.destroy());
    whenClosed(socket, () => this.next(socket));
    this.serve(socket);
  }

  private next(from: Socket): void {
    if (this.held !== from) return;
    this.held = null;
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
  socket.removeAllListeners = (event?: string | symbol) => {
    removeAll(event);
    if (event === undefined || event === 'close') {
      if (socket.closed) tell();
      else socket.once('close', tell);
    }
    return socket;
  };
}
