import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { failure, ok, ResultCode } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { CloudConfig } from '../config/cloud-config';
import { DatabaseLocation } from '../database/database.module';
import { PreparedReads } from '../database/prepared-reads';

const PROBE_TIMEOUT_MS = 2000;
/** The prepared statement the probe runs as the hot reads run theirs. */
export const HEALTH_PROBE = 'SELECT 1 AS up';

const DATABASE_NAMES = { embedded: 'embedded database (PGlite)', postgres: 'PostgreSQL database' } as const;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reads: PreparedReads,
    private readonly location: DatabaseLocation,
    private readonly config: CloudConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and whether the database serves requests; HTTP 503 naming the database when it does not' })
  async health(@Res({ passthrough: true }) res: Response) {
    const problem = await this.databaseProblem();
    const data = {
      status: problem ? 'degraded' : 'ok',
      uptime: Math.round(process.uptime()),
      database: this.location.mode,
      version: this.config.version,
      ...(problem ? { databaseError: problem } : {}),
    };
    if (!problem) return ok(data);
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { ...failure(ResultCode.Unavailable, `The ${DATABASE_NAMES[this.location.mode]} cannot serve requests: ${problem}`), data };
  }

  /**
   * Asks the database the way requests do: a statement on the ORM's pool and a named prepared
   * statement as the hot reads run them (their own pool on PostgreSQL), so a session that takes
   * plain queries but not the reads is not reported healthy. The answer names no host or path.
   */
  private async databaseProblem(): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>(
      (resolve) => (timer = setTimeout(() => resolve(`no answer within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS)),
    );
    const probes = Promise.all([this.db.query('SELECT 1'), this.reads.query(HEALTH_PROBE, [])]).then(
      () => null,
      // An error the server sent carries its severity and SQLSTATE; anything else failed on the way.
      (error: { code?: unknown; severity?: unknown }) =>
        typeof error.severity === 'string' && typeof error.code === 'string'
          ? `query failed (SQLSTATE ${error.code})`
          : 'connection failed',
    );
    try {
      return await Promise.race([probes, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
