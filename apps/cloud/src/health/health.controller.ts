import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { failure, ok, ResultCode } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { CloudConfig } from '../config/cloud-config';
import { DatabaseLocation } from '../database/database.module';

const PROBE_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly location: DatabaseLocation,
    private readonly config: CloudConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and database reachability; HTTP 503 when the database does not answer' })
  async health(@Res({ passthrough: true }) res: Response) {
    const up = await this.databaseAnswers();
    const data = {
      status: up ? 'ok' : 'degraded',
      uptime: Math.round(process.uptime()),
      database: this.location.mode,
      version: this.config.version,
    };
    if (up) return ok(data);
    res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { ...failure(ResultCode.Internal, 'Database does not answer'), data };
  }

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
    const probe = this.db.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
