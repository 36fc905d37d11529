import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { pageOf } from '../common/id.decorators';
import { rethrowDuplicate } from '../common/sql';
import { TagEntity } from './tag.entity';
import { TagStore } from './tag-store';
import { AddTagDto, ListTagsDto, UpdateTagDto } from './dto/tag.dto';

@Injectable()
export class TagsService {
  constructor(private readonly tags: TagStore) {}

  async list(auth: AuthContext, dto: ListTagsDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [tags, total] = await this.tags.page(auth.teamId, dto.keyword, offset, pageSize);
    if (!dto.counts) return { list: tags.map((t) => this.view(t)), total, page, pageSize };
    const countOf = await this.tags.windowCounts(
      auth.teamId,
      tags.map((t) => t.id),
      auth.scopedGroupIds,
    );
    return { list: tags.map((t) => ({ ...this.view(t), windowCount: countOf.get(t.id) ?? 0 })), total, page, pageSize };
  }

  async add(auth: AuthContext, dto: AddTagDto) {
    const tag = await this.tags
      .insert({ teamId: auth.teamId, name: dto.name, color: dto.color ?? '' })
      .catch(rethrowDuplicate(`A tag named "${dto.name}" already exists`));
    return this.view(tag);
  }

  async update(auth: AuthContext, dto: UpdateTagDto) {
    const tag = await this.tags.find(auth.teamId, dto.id);
    if (!tag) throw new NotFoundError(`Tag ${dto.id} not found`);
    await this.assertAllUsesInScope(auth, tag.id);
    Object.assign(tag, { name: dto.name ?? tag.name, color: dto.color ?? tag.color });
    await this.tags.save(tag).catch(rethrowDuplicate(`A tag named "${dto.name}" already exists`));
    return this.view(tag);
  }

  /** Windows simply lose the tag (the join rows cascade). */
  async delete(auth: AuthContext, id: number): Promise<void> {
    if (auth.scopedGroupIds) {
      if (!(await this.tags.find(auth.teamId, id))) throw new NotFoundError(`Tag ${id} not found`);
      await this.assertAllUsesInScope(auth, id);
    }
    if (!(await this.tags.delete(auth.teamId, id))) throw new NotFoundError(`Tag ${id} not found`);
  }

  /** A member limited to groups renames or deletes a tag only while no window outside them has it. */
  private async assertAllUsesInScope(auth: AuthContext, id: number): Promise<void> {
    const groups = auth.scopedGroupIds;
    if (groups && (await this.tags.usedOutside(id, groups)))
      throw new ForbiddenError(`Tag ${id} is used by windows outside your window scope`);
  }

  private view(tag: TagEntity) {
    return { id: tag.id, name: tag.name, color: tag.color, createdAt: tag.createdAt.toISOString() };
  }
}
