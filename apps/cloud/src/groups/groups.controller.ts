import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { DocumentSignedIn, CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { AddGroupDto, DeleteGroupDto, ListGroupsDto, UpdateGroupDto } from './dto/group.dto';
import { GroupsService } from './groups.service';

@ApiTags('group')
@Controller('group')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn('Groups of the team (those in scope for a limited member), with window counts')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListGroupsDto) {
    return ok(await this.groups.list(auth, dto));
  }

  @Post('add')
  @HttpCode(200)
  @RequirePermission('group:manage', 'Create a group; names are unique in a team')
  async add(@CurrentAuth() auth: AuthContext, @Body() dto: AddGroupDto) {
    return ok(await this.groups.add(auth, dto));
  }

  @Post('update')
  @HttpCode(200)
  @RequirePermission('group:manage', 'Rename or reorder a group')
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateGroupDto) {
    return ok(await this.groups.update(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('group:manage', 'Delete a group; its windows become ungrouped')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: DeleteGroupDto) {
    await this.groups.delete(auth, dto.id);
    return ok();
  }
}
