import type { Server, Socket } from 'node:net';

/** How long a connection waits for the one before it to end, in ms, before it is refused. */
export const GATE_WAIT_MS = 2_000;
/** How many connections may wait at once; any more are refused on arrival. */
export const GATE_MAX_WAITING = 4;

/**
 * Hands the embedded database's socket connections to its server one at a time.
 *
 * pglite-socket counts a connection as held until a turn of the event loop after its socket
 * closes, and refuses any that arrives meanwhile by writing text and half-closing, which `pg`
 * never answers: a pool replacing a cut connection at once was refused, and the refused socket
 * then kept the server's one place taken, so no connection got in again until a restart. Here a
 * connection that arrives while another is held waits until that one has closed and the server
 * has let it go, for at most `GATE_WAIT_MS`; and a socket the server has finished writing to is
 * closed, so it cannot keep the place.
 */
export class OneConnectionGate {
  private held: Socket | null = null;
  private readonly waiting: { socket: Socket; timer: NodeJS.Timeout }[] = [];
  private readonly handOff: (socket: Socket) => void;

  /** Takes over `server`'s connection listeners; they see each socket only when its turn comes. */
  constructor(server: Server) {
    const listeners = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    this.handOff = (socket) => listeners.forEach((listener) => listener.call(server, socket));
    // The server's own limit would drop waiting sockets before they reach the gate.
    server.maxConnections = 1 + GATE_MAX_WAITING;
    server.on('connection', (socket: Socket) => this.arrive(socket));
  }

  private arrive(socket: Socket): void {
    socket.on('error', () => undefined);
    if (!this.held) return this.admit(socket);
    if (this.waiting.length >= GATE_MAX_WAITING) {
      socket.destroy();
      return;
    }
    const entry = { socket, timer: setTimeout(() => this.refuse(entry), GATE_WAIT_MS) };
    this.waiting.push(entry);
    socket.once('close', () => this.refuse(entry));
  }

  private refuse(entry: { socket: Socket; timer: NodeJS.Timeout }): void {
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
    // The server lets a connection go one turn after its close; the next is handed on after that.
    socket.once('close', () => setImmediate(() => setImmediate(() => this.next())));
    this.handOff(socket);
  }

  private next(): void {
    this.held = null;
    const entry = this.waiting.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    this.admit(entry.socket);
  }
}
