import { Logger } from '@nestjs/common';
import { Extension, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// The contrib entry points ship ESM typings only; their CommonJS build is there at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/**
 * PostgreSQL without a server install: PGlite keeps its data in the cloud's data folder and
 * speaks the wire protocol on a loopback port, so the app uses the same `pg` driver either way.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    const dir = join(dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const db = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    const embedded = new EmbeddedPostgres(db, server, `postgres://postgres@${server.getServerConn()}/postgres`);
    embedded.logger.log(`embedded PostgreSQL (PGlite) in ${dir}`);
    return embedded;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
