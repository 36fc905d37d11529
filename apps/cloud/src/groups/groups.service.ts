import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { AuthService } from '../auth/auth.service';
import { UserStore } from '../accounts/user-store';
import { pageOf } from '../common/id.decorators';
import { escapeLike, rethrowDuplicate } from '../common/sql';
import { GroupEntity } from './group.entity';
import { AddGroupDto, ListGroupsDto, UpdateGroupDto } from './dto/group.dto';

@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    private readonly users: UserStore,
  ) {}

  /** Members limited to some groups see only those. */
  async list(auth: AuthContext, dto: ListGroupsDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const query = this.db
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .where('g.team_id = :teamId', { teamId: auth.teamId })
      .orderBy('g.sort', 'ASC')
      .addOrderBy('g.id', 'ASC')
      .offset(offset)
      .limit(pageSize);
    if (dto.keyword) query.andWhere('g.name ILIKE :kw', { kw: `%${escapeLike(dto.keyword)}%` });
    const scoped = auth.scopedGroupIds;
    if (scoped) query.andWhere('g.id = ANY(:scoped)', { scoped });
    const [groups, total] = await query.getManyAndCount();
    const counts: { group_id: number; n: string }[] = groups.length
      ? await this.db.query(
          `SELECT group_id, count(*) AS n FROM windows WHERE team_id = $1 AND deleted_at IS NULL AND group_id = ANY($2) GROUP BY group_id`,
          [auth.teamId, groups.map((g) => g.id)],
        )
      : [];
    const countOf = new Map(counts.map((c) => [c.group_id, Number(c.n)]));
    return { list: groups.map((g) => ({ ...this.view(g), windowCount: countOf.get(g.id) ?? 0 })), total, page, pageSize };
  }

  /** A member limited to some groups gets the group they create added to them, or they could not see it. */
  async add(auth: AuthContext, dto: AddGroupDto) {
    const group = await this.db
      .transaction(async (manager) => {
        const saved = await manager.save(
          manager.create(GroupEntity, { teamId: auth.teamId, name: dto.name, sort: dto.sort ?? 0, remark: dto.remark ?? '' }),
        );
        if (auth.scopedGroupIds) await this.users.addGroup(manager, auth.userId, saved.id);
        return saved;
      })
      .catch(rethrowDuplicate(`A group named "${dto.name}" already exists`));
    if (auth.scopedGroupIds) await this.auth.forgetUser(auth.userId);
    return this.view(group);
  }

  async update(auth: AuthContext, dto: UpdateGroupDto) {
    const repo = this.db.getRepository(GroupEntity);
    const group = await repo.findOneBy({ id: dto.id, teamId: auth.teamId });
    if (!group || !auth.inScope(group.id)) throw new NotFoundError(`Group ${dto.id} not found`);
    Object.assign(group, { name: dto.name ?? group.name, sort: dto.sort ?? group.sort, remark: dto.remark ?? group.remark });
    await repo.save(group).catch(rethrowDuplicate(`A group named "${dto.name}" already exists`));
    return this.view(group);
  }

  /** Its windows become ungrouped (the foreign key sets them to NULL). Groups outside a member's scope are not theirs to delete. */
  async delete(auth: AuthContext, id: number): Promise<void> {
    if (!auth.inScope(id)) throw new NotFoundError(`Group ${id} not found`);
    await this.db.transaction(async (manager) => {
      // The group, then its windows in id order (the order every writer of both takes), then the
      // delete: its ON DELETE SET NULL finds the windows already ungrouped and locks nothing new.
      const held: unknown[] = await manager.query(`SELECT 1 FROM groups WHERE id = $1 AND team_id = $2 FOR UPDATE`, [id, auth.teamId]);
      if (held.length === 0) throw new NotFoundError(`Group ${id} not found`);
      await manager.query(
        `UPDATE windows SET group_id = NULL
         WHERE id IN (SELECT id FROM windows WHERE group_id = $1 ORDER BY id FOR UPDATE)`,
        [id],
      );
      await manager.delete(GroupEntity, { id, teamId: auth.teamId });
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
