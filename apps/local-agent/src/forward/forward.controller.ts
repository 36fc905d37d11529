import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidParamError, isUuid } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';

const PASS_THROUGH = ['update/partial', 'list', 'delete', 'delete/ids', 'group/update', 'remark/update', 'proxy/update'];

function isFilledObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
}

/** Cloud calls made through the agent with its login, with the seed's Local API notes. */
@Controller('browser')
export class ForwardController {
  constructor(private readonly cloud: AgentCloud) {}

  @Post('update')
  @HttpCode(200)
  update(@Body() body: Record<string, unknown>) {
    if (!isFilledObject(body.config)) throw new InvalidParamError('Configuration must be a JSON object');
    return this.cloud.call('/browser/update', body);
  }

  @Post('detail')
  @HttpCode(200)
  detail(@Body() body: Record<string, unknown>) {
    if (!isUuid(body.uuid)) throw new InvalidParamError('UUID invalid');
    return this.cloud.call('/browser/detail', body);
  }

  @Post(PASS_THROUGH)
  @HttpCode(200)
  forward(@Req() request: Request, @Body() body: Record<string, unknown>) {
    return this.cloud.call(request.path, body);
  }
}
