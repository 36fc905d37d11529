import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, ILike } from 'typeorm';
import { NotFoundError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { pageOf } from '../common/id.decorators';
import { escapeLike, rethrowDuplicate } from '../common/sql';
import { TagEntity } from './tag.entity';
import { AddTagDto, ListTagsDto, UpdateTagDto } from './dto/tag.dto';

@Injectable()
export class TagsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(auth: AuthContext, dto: ListTagsDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [tags, total] = await this.db.getRepository(TagEntity).findAndCount({
      where: { teamId: auth.teamId, ...(dto.keyword ? { name: ILike(`%${escapeLike(dto.keyword)}%`) } : {}) },
      order: { name: 'ASC', id: 'ASC' },
      skip: offset,
      take: pageSize,
    });
    return { list: tags.map((t) => this.view(t)), total, page, pageSize };
  }

  async add(auth: AuthContext, dto: AddTagDto) {
    const repo = this.db.getRepository(TagEntity);
    const tag = await repo
      .save(repo.create({ teamId: auth.teamId, name: dto.name, color: dto.color ?? '' }))
      .catch(rethrowDuplicate(`A tag named "${dto.name}" already exists`));
    return this.view(tag);
  }

  async update(auth: AuthContext, dto: UpdateTagDto) {
    const repo = this.db.getRepository(TagEntity);
    const tag = await repo.findOneBy({ id: dto.id, teamId: auth.teamId });
    if (!tag) throw new NotFoundError(`Tag ${dto.id} not found`);
    Object.assign(tag, { name: dto.name ?? tag.name, color: dto.color ?? tag.color });
    await repo.save(tag).catch(rethrowDuplicate(`A tag named "${dto.name}" already exists`));
    return this.view(tag);
  }

  /** Windows simply lose the tag (the join rows cascade). */
  async delete(auth: AuthContext, id: number): Promise<void> {
    const result = await this.db.getRepository(TagEntity).delete({ id, teamId: auth.teamId });
    if (result.affected !== 1) throw new NotFoundError(`Tag ${id} not found`);
  }

  private view(tag: TagEntity) {
    return { id: tag.id, name: tag.name, color: tag.color, createdAt: tag.createdAt.toISOString() };
  }
}
