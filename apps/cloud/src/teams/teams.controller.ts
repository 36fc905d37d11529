import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { AddMemberDto, RemoveMemberDto, UpdateMemberDto } from './dto/member.dto';
import { TeamsService } from './teams.service';
import { NoFields } from '../common/no-fields.pipe';

@ApiTags('team')
@Controller('team')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post('member/list')
  @HttpCode(200)
  @RequirePermission('team:manage', 'Members of the team with role, permissions and scope')
  async list(@CurrentAuth() auth: AuthContext, @Body(NoFields) _body: unknown) {
    return ok(await this.teams.listMembers(auth));
  }

  @Post('member/add')
  @HttpCode(200)
  @RequirePermission('team:manage', 'Create a member account with an initial password')
  async add(@CurrentAuth() auth: AuthContext, @Body() dto: AddMemberDto) {
    return ok(await this.teams.addMember(auth, dto));
  }

  @Post('member/update')
  @HttpCode(200)
  @RequirePermission('team:manage', "Change a member's role, permissions or window scope")
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateMemberDto) {
    return ok(await this.teams.updateMember(auth, dto));
  }

  @Post('member/remove')
  @HttpCode(200)
  @RequirePermission('team:manage', 'Remove a member and end their sessions and tokens')
  async remove(@CurrentAuth() auth: AuthContext, @Body() dto: RemoveMemberDto) {
    await this.teams.removeMember(auth, dto.userId);
    return ok();
  }

  @Post('permission/list')
  @HttpCode(200)
  @RequirePermission('team:manage', 'The permission catalogue')
  permissions() {
    return ok(this.teams.permissionCatalogue());
  }
}
