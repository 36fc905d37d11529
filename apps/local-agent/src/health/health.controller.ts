import { Controller, Get } from '@nestjs/common';
import { ok } from '@cos/contracts';
import { Public } from '@cos/server-common';
import { RunningWindows } from '../browser/running-windows';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { DeviceLine } from '../device-line/device-line';

@Controller('health')
export class HealthController {
  constructor(
    private readonly config: AgentConfig,
    private readonly cloud: AgentCloud,
    private readonly windows: RunningWindows,
    private readonly line: DeviceLine,
  ) {}

  @Public()
  @Get()
  health() {
    return ok({
      status: 'ok',
      loggedIn: this.cloud.loggedIn,
      version: this.config.version,
      running: this.windows.count(),
      deviceLine: this.line.state,
    });
  }
}
