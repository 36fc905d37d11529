import { Body, Controller, Get, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { InvalidParamError, ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn, RequirePermission } from '../access/auth.decorators';
import { ListRunsDto, RunIdDto, ShotIdDto, ShotUploadDto, StartRunDto } from './dto/run.dto';
import { RunShots } from './run-shots';
import { RunsService } from './runs.service';

@ApiTags('run')
@Controller('run')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly shots: RunShots,
  ) {}

  @Post('start')
  @HttpCode(200)
  @RequirePermission('task:run', "Run a task's current version over windows on the named devices (browser:open too)")
  async start(@CurrentAuth() auth: AuthContext, @Body() dto: StartRunDto) {
    return ok(await this.runs.start(auth, dto));
  }

  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn('Runs the caller started (every run of the team with team:manage), newest first')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListRunsDto) {
    return ok(await this.runs.list(auth, dto));
  }

  @Post('detail')
  @HttpCode(200)
  @DocumentSignedIn("A run with each window's status, step results and captured values")
  async detail(@CurrentAuth() auth: AuthContext, @Body() dto: RunIdDto) {
    return ok(await this.runs.detail(auth, dto.id));
  }

  @Post('cancel')
  @HttpCode(200)
  @RequirePermission('task:run', 'Cancel a running run: what waits is canceled, what runs is stopped after its current step')
  async cancel(@CurrentAuth() auth: AuthContext, @Body() dto: RunIdDto) {
    return ok(await this.runs.cancel(auth, dto.id));
  }

  @Post('retry')
  @HttpCode(200)
  @RequirePermission('task:run', 'Run again the windows of an ended run that did not succeed')
  async retry(@CurrentAuth() auth: AuthContext, @Body() dto: RunIdDto) {
    return ok(await this.runs.retry(auth, dto.id));
  }

  @Put('shot')
  @HttpCode(200)
  @ApiConsumes('application/octet-stream')
  @RequirePermission('browser:open', 'A device sends a screenshot (PNG) of the window run it was sent and is still doing')
  async upload(@CurrentAuth() auth: AuthContext, @Query() query: ShotUploadDto, @Req() request: Request) {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/octet-stream'))
      throw new InvalidParamError('Send the screenshot as Content-Type: application/octet-stream');
    if (request.headers['content-encoding'] && request.headers['content-encoding'] !== 'identity')
      throw new InvalidParamError('A screenshot is sent as it is (no Content-Encoding)');
    return ok(await this.shots.accept(auth, query.commandId, query.sha256, query.step ?? null, request));
  }

  @Get('shot')
  @DocumentSignedIn('A screenshot of a run the caller may see, as image/png')
  async shot(@CurrentAuth() auth: AuthContext, @Query() query: ShotIdDto, @Res() response: Response) {
    const shot = await this.shots.open(auth, query.id);
    response.status(200);
    response.setHeader('Content-Type', 'image/png');
    response.setHeader('Content-Length', String(shot.size));
    response.setHeader('Content-Disposition', 'inline; filename="screenshot.png"');
    response.setHeader('Cache-Control', 'private, max-age=3600');
    // An image and nothing that runs: a file that is not what it says is never a page of this origin.
    response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    response.setHeader('X-Content-Type-Options', 'nosniff');
    await pipeline(shot.stream, response).catch(() => response.destroy());
  }
}
