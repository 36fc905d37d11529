import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { AddProxyDto, CheckProxyDto, ListProxiesDto, ProxyIdDto, UpdateProxyDto } from './dto/proxy.dto';
import { ProxiesService } from './proxies.service';

@ApiTags('proxy')
@Controller('proxy')
export class ProxiesController {
  constructor(private readonly proxies: ProxiesService) {}

  @Post('list')
  @HttpCode(200)
  @RequirePermission('proxy:manage', 'Saved proxies of the team, newest first, with how many windows bind each (passwords masked)')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListProxiesDto) {
    return ok(await this.proxies.list(auth, dto));
  }

  @Post('add')
  @HttpCode(200)
  @RequirePermission('proxy:manage', 'Save a proxy; names are unique in a team, the password is stored encrypted')
  async add(@CurrentAuth() auth: AuthContext, @Body() dto: AddProxyDto) {
    return ok(await this.proxies.add(auth, dto));
  }

  @Post('update')
  @HttpCode(200)
  @RequirePermission('proxy:manage', 'Change a saved proxy; windows bound to it use the change at their next open')
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateProxyDto) {
    return ok(await this.proxies.update(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('proxy:manage', 'Delete a saved proxy; one bound by any window (recycle bin included) answers 409')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: ProxyIdDto) {
    await this.proxies.delete(auth, dto.id);
    return ok();
  }

  @Post('check')
  @HttpCode(200)
  @RequirePermission('proxy:manage', 'Connect through a saved proxy and look up its exit IP, country and timezone')
  async check(@CurrentAuth() auth: AuthContext, @Body() dto: CheckProxyDto) {
    return ok(await this.proxies.check(auth, dto));
  }
}
