import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager, In } from 'typeorm';
import { escapeLike } from '../common/sql';
import { GroupEntity } from './group.entity';

/** Which groups a list shows. */
export interface GroupFilter {
  teamId: number;
  keyword?: string;
  /** Null when every group is in scope. */
  scopedGroupIds: readonly number[] | null;
  offset: number;
  take: number;
}

/**
 * Reads and writes of `groups`. Groups sit below windows, so the two statements on `windows` a
 * group needs (its window count, ungrouping before a delete) are here rather than in the
 * `WindowStore`. Methods that take an `EntityManager` run in the caller's transaction and take the
 * locks they say; the others run on their own.
 */
@Injectable()
export class GroupStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  page(filter: GroupFilter): Promise<[GroupEntity[], number]> {
    const query = this.db
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .where('g.team_id = :teamId', { teamId: filter.teamId })
      .orderBy('g.sort', 'ASC')
      // Groups of one sort value by name as people read them (case does not split the list).
      .addOrderBy('lower(g.name)', 'ASC')
      .addOrderBy('g.id', 'ASC')
      .offset(filter.offset)
      .limit(filter.take);
    if (filter.keyword) query.andWhere('g.name ILIKE :kw', { kw: `%${escapeLike(filter.keyword)}%` });
    if (filter.scopedGroupIds) query.andWhere('g.id = ANY(:scoped)', { scoped: filter.scopedGroupIds });
    return query.getManyAndCount();
  }

  /**
   * Live windows per group, for the groups named; groups without any are left out. Read from the
   * counters the windows' triggers keep (`window_counts`), not by counting a team's windows.
   */
  async windowCounts(teamId: number, groupIds: number[]): Promise<Map<number, number>> {
    if (groupIds.length === 0) return new Map();
    const counts: { group_id: number; n: number }[] = await this.db.query(
      `SELECT group_id, live AS n FROM window_counts WHERE team_id = $1 AND group_id = ANY($2) AND live > 0`,
      [teamId, groupIds],
    );
    return new Map(counts.map((c) => [c.group_id, Number(c.n)]));
  }

  /** The team's groups with these names (names are unique in a team), as name → id. */
  async byNames(manager: EntityManager, teamId: number, names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows: { id: number; name: string }[] = await manager.query(
      `SELECT id, name FROM groups WHERE team_id = $1 AND name = ANY($2::text[])`,
      [teamId, names],
    );
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  find(teamId: number, id: number): Promise<GroupEntity | null> {
    return this.db.getRepository(GroupEntity).findOneBy({ id, teamId });
  }

  insert(manager: EntityManager, fields: DeepPartial<GroupEntity>): Promise<GroupEntity> {
    return manager.save(manager.create(GroupEntity, fields));
  }

  save(group: GroupEntity): Promise<GroupEntity> {
    return this.db.getRepository(GroupEntity).save(group);
  }

  /** Which of the named groups the team has. */
  async existing(manager: EntityManager, teamId: number, ids: number[]): Promise<number[]> {
    const found = await manager.getRepository(GroupEntity).find({ select: { id: true }, where: { teamId, id: In(ids) } });
    return found.map((g) => g.id);
  }

  /** Whether the team has the group; its row stays share-locked until the transaction ends (a delete of it waits). */
  holdShared(manager: EntityManager, teamId: number, id: number): Promise<boolean> {
    return manager
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .setLock('pessimistic_read')
      .where('g.id = :groupId AND g.team_id = :teamId', { groupId: id, teamId })
      .getExists();
  }

  /**
   * Deletes the team's group: its row first, then its windows in id order (the order every writer
   * of both takes) are ungrouped, then the delete, whose ON DELETE SET NULL finds them ungrouped
   * already and locks nothing new. False when the team has no such group.
   */
  async delete(manager: EntityManager, teamId: number, id: number): Promise<boolean> {
    const held: unknown[] = await manager.query(`SELECT 1 FROM groups WHERE id = $1 AND team_id = $2 FOR UPDATE`, [id, teamId]);
    if (held.length === 0) return false;
    await manager.query(
      `UPDATE windows SET group_id = NULL
       WHERE id IN (SELECT id FROM windows WHERE group_id = $1 ORDER BY id FOR UPDATE)`,
      [id],
    );
    await manager.delete(GroupEntity, { id, teamId });
    return true;
  }
}
