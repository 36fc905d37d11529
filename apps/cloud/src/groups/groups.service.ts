import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuthService } from '../auth/auth.service';
import { UserStore } from '../accounts/user-store';
import { pageOf } from '../common/id.decorators';
import { rethrowDuplicate } from '../common/sql';
import { GroupEntity } from './group.entity';
import { GroupStore } from './group-store';
import { AddGroupDto, ListGroupsDto, UpdateGroupDto } from './dto/group.dto';

@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    private readonly users: UserStore,
    private readonly groups: GroupStore,
  ) {}

  /** Members limited to some groups see only those. */
  async list(auth: AuthContext, dto: ListGroupsDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [groups, total] = await this.groups.page({
      teamId: auth.teamId,
      keyword: dto.keyword,
      scopedGroupIds: auth.scopedGroupIds,
      offset,
      take: pageSize,
    });
    const countOf = await this.groups.windowCounts(
      auth.teamId,
      groups.map((g) => g.id),
    );
    return { list: groups.map((g) => ({ ...this.view(g), windowCount: countOf.get(g.id) ?? 0 })), total, page, pageSize };
  }

  /** A member limited to some groups gets the group they create added to them, or they could not see it. */
  async add(auth: AuthContext, dto: AddGroupDto) {
    const group = await this.db
      .transaction(async (manager) => {
        const saved = await this.groups.insert(manager, {
          teamId: auth.teamId,
          name: dto.name,
          sort: dto.sort ?? 0,
          remark: dto.remark ?? '',
        });
        if (auth.scopedGroupIds) await this.users.addGroup(manager, auth.userId, saved.id);
        return saved;
      })
      .catch(rethrowDuplicate(`A group named "${dto.name}" already exists`));
    if (auth.scopedGroupIds) await this.auth.forgetUser(auth.userId);
    return this.view(group);
  }

  async update(auth: AuthContext, dto: UpdateGroupDto) {
    const group = await this.groups.find(auth.teamId, dto.id);
    if (!group || !auth.inScope(group.id)) throw new NotFoundError(`Group ${dto.id} not found`);
    Object.assign(group, { name: dto.name ?? group.name, sort: dto.sort ?? group.sort, remark: dto.remark ?? group.remark });
    await this.groups.save(group).catch(rethrowDuplicate(`A group named "${dto.name}" already exists`));
    return this.view(group);
  }

  /** Its windows become ungrouped (the foreign key sets them to NULL). Groups outside a member's scope are not theirs to delete. */
  async delete(auth: AuthContext, id: number): Promise<void> {
    if (!auth.inScope(id)) throw new NotFoundError(`Group ${id} not found`);
    await this.db.transaction(async (manager) => {
      if (!(await this.groups.delete(manager, auth.teamId, id))) throw new NotFoundError(`Group ${id} not found`);
    });
  }

  private view(group: GroupEntity) {
    return {
      id: group.id,
      name: group.name,
      sort: group.sort,
      remark: group.remark,
      createdAt: group.createdAt.toISOString(),
      updatedAt: group.updatedAt.toISOString(),
    };
  }
}
