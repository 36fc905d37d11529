import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ok } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { DocumentSignedIn, CurrentAuth, RequirePermission } from '../access/auth.decorators';
import { AddTagDto, DeleteTagDto, ListTagsDto, UpdateTagDto } from './dto/tag.dto';
import { TagsService } from './tags.service';

@ApiTags('tag')
@Controller('tag')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Post('list')
  @HttpCode(200)
  @DocumentSignedIn('Tags of the team')
  async list(@CurrentAuth() auth: AuthContext, @Body() dto: ListTagsDto) {
    return ok(await this.tags.list(auth, dto));
  }

  @Post('add')
  @HttpCode(200)
  @RequirePermission('tag:manage', 'Create a tag; names are unique in a team')
  async add(@CurrentAuth() auth: AuthContext, @Body() dto: AddTagDto) {
    return ok(await this.tags.add(auth, dto));
  }

  @Post('update')
  @HttpCode(200)
  @RequirePermission('tag:manage', 'Rename or recolor a tag')
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateTagDto) {
    return ok(await this.tags.update(auth, dto));
  }

  @Post('delete')
  @HttpCode(200)
  @RequirePermission('tag:manage', 'Delete a tag; windows lose it')
  async delete(@CurrentAuth() auth: AuthContext, @Body() dto: DeleteTagDto) {
    await this.tags.delete(auth, dto.id);
    return ok();
  }
}
