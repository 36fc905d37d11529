import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, DocumentSignedIn, RequirePermission } from '../access/auth.decorators';
import { ListRunsDto, RunIdDto, StartRunDto } from './dto/run.dto';
import { RunsService } from './runs.service';

@ApiTags('run')
@Controller('run')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

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
}
