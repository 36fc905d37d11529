import { Logger } from '@nestjs/common';
import { Extension, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import type { PoolSettings } from './data-source';
import { OneConnectionGate } from './one-connection-gate';

// The contrib entry points ship ESM typings only; their CommonJS build is there at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/** The port number only names the socket file (`.s.PGSQL.<port>`), as libpq and `pg` expect. */
const SOCKET_PORT = 5432;
/** Unix socket paths are limited to about 107 bytes on Linux. */
const MAX_SOCKET_PATH = 100;
/** A wire-protocol message: its type, its length, its body. */
function wireMessage(type: string, body = ''): Uint8Array {
  const bytes = Buffer.alloc(5 + Buffer.byteLength(body));
  bytes.write(type, 0, 'latin1');
  bytes.writeInt32BE(4 + Buffer.byteLength(body), 1);
  bytes.write(body, 5);
  return bytes;
}
/**
 * What a cut connection may leave in the session, undone: an open transaction, explicit or begun
 * by an Execute whose Sync never came, is rolled back (a Sync alone would commit the latter), and
 * an extended-protocol exchange that errored, which ignores everything until a Sync (the next
 * connection would get no answer), is ended.
 */
const AFTER_A_CONNECTION = [wireMessage('Q', 'ROLLBACK\0'), wireMessage('S')];

/** How the cloud's `pg` pool reaches the embedded database. */
export interface EmbeddedConnection {
  /** The folder holding the socket: `pg` takes a host starting with `/` as one. */
  host: string;
  port: number;
  username: string;
  database: string;
}

/**
 * PostgreSQL without a server install: PGlite keeps its data in the cloud's data folder and
 * speaks the wire protocol, so the app uses the same `pg` driver either way.
 *
 * PGlite is one session. pglite-socket feeds the wire messages of all its connections into it,
 * keeping only explicit transactions together, and `pg` sends Parse/Bind/Execute as separate
 * messages, so two connections would run each other's statements. The server therefore takes one
 * connection and the cloud's pool holds one: statements and transactions run one after another.
 * A connection that replaces a cut one waits for it to be let go (`OneConnectionGate`).
 *
 * The socket is a Unix socket in a 0700 folder inside the data folder, not a TCP port: PGlite
 * checks no password, so only the cloud's own user may reach it.
 */
export class EmbeddedPostgres {
  /**
   * The one connection, kept however long it is idle. PGlite's session outlives any connection:
   * named prepared statements, settings and cursors of a closed connection stay, while `pg`
   * forgets what it prepared with the connection, and would prepare the same names again on the
   * next ("prepared statement … already exists"). A connection that does end (cut, failed) is
   * replaced by one that first resets the session, so each connection starts from a clean one
   * (the gate has ended what the cut one left unfinished, see `AFTER_A_CONNECTION`).
   */
  static readonly POOL: PoolSettings = { size: 1, idleMs: 0, onConnect: (client) => client.query('DISCARD ALL') };

  private readonly logger = new Logger(EmbeddedPostgres.name);

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly gate: OneConnectionGate,
    readonly connection: EmbeddedConnection,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const dir = join(dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    const socketDir = join(dataDir, 'run');
    const socketPath = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      throw new Error(`CLOUD_DATA_DIR ${dataDir} is too long for the embedded database's socket (${socketPath}); choose a shorter path`);
    }
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    chmodSync(socketDir, 0o700);
    // A socket left by a process that was killed would make listen fail.
    rmSync(socketPath, { force: true });
    const db = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
    // The gate lets one connection in at a time, once the server has let the one before it go;
    // the second place is a margin, so a late let-go is never met with a refusal.
    const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 2 });
    await server.start();
    // Its net server and the method that takes a socket in at once are not in its typings.
    const inner = server as unknown as { server: Server; handleConnection(socket: Socket): Promise<void> };
    const gate = new OneConnectionGate(
      inner.server,
      (socket) => void inner.handleConnection(socket),
      () =>
        db.runExclusive(async () => {
          for (const message of AFTER_A_CONNECTION) await db.execProtocolRaw(message);
        }),
    );
    const embedded = new EmbeddedPostgres(db, server, gate, {
      host: socketDir,
      port: SOCKET_PORT,
      username: 'postgres',
      database: 'postgres',
    });
    embedded.logger.log(`embedded PostgreSQL (PGlite) in ${dir}`);
    return embedded;
  }

  private stopped?: Promise<void>;

  /** Stops once, however many times it is asked. */
  stop(): Promise<void> {
    this.gate.close();
    this.stopped ??= this.server.stop().then(() => this.db.close());
    return this.stopped;
  }
}
