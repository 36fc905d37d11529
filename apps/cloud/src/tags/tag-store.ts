import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import { escapeLike } from '../common/sql';
import { TagEntity } from './tag.entity';

/** Reads and writes of `tags`. Methods that take an `EntityManager` run in the caller's transaction; the others on their own. */
@Injectable()
export class TagStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A page of the team's tags by name as people read them (case does not split the list), with their total. */
  page(teamId: number, keyword: string | undefined, skip: number, take: number): Promise<[TagEntity[], number]> {
    const query = this.db
      .getRepository(TagEntity)
      .createQueryBuilder('t')
      .where('t.team_id = :teamId', { teamId })
      .orderBy('lower(t.name)', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .offset(skip)
      .limit(take);
    if (keyword) query.andWhere('t.name ILIKE :kw', { kw: `%${escapeLike(keyword)}%` });
    return query.getManyAndCount();
  }

  /**
   * The team's tags with these names, as name → id, key-share locked as `existing` locks them: an
   * import takes every row's tags before its first window, so a delete waiting on one cannot
   * wait, in turn, on the list version that import's first window moved.
   */
  async byNames(manager: EntityManager, teamId: number, names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows: { id: number; name: string }[] = await manager.query(
      `SELECT id, name FROM tags WHERE team_id = $1 AND name = ANY($2::text[]) ORDER BY id FOR KEY SHARE`,
      [teamId, names],
    );
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  find(teamId: number, id: number): Promise<TagEntity | null> {
    return this.db.getRepository(TagEntity).findOneBy({ id, teamId });
  }

  insert(fields: DeepPartial<TagEntity>): Promise<TagEntity> {
    const repo = this.db.getRepository(TagEntity);
    return repo.save(repo.create(fields));
  }

  save(tag: TagEntity): Promise<TagEntity> {
    return this.db.getRepository(TagEntity).save(tag);
  }

  /**
   * False when the team has no such tag. Windows lose it (the join rows cascade), and the rows are
   * taken in the order every window writer takes them: the windows carrying the tag first, in id
   * order, then the tag (a writer holds its windows, then the tags it sets, then their join rows).
   * Taking the tag and its join rows first deadlocked with a batch taking the tag off its windows.
   */
  async delete(teamId: number, id: number): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      await manager.query(
        `SELECT id FROM windows WHERE team_id = $2 AND id IN (SELECT window_id FROM window_tags WHERE tag_id = $1) ORDER BY id FOR UPDATE`,
        [id, teamId],
      );
      const result = await manager.getRepository(TagEntity).delete({ id, teamId });
      return result.affected === 1;
    });
  }

  /**
   * How many of the team's live windows (not the recycle bin's) have each tag named, counting only
   * windows in `groups` when it is set; tags no such window has are left out.
   */
  async windowCounts(teamId: number, ids: number[], groups: readonly number[] | null): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows: { tag_id: number; n: number }[] = await this.db.query(
      `SELECT wt.tag_id, count(*)::int AS n FROM window_tags wt JOIN windows w ON w.id = wt.window_id
       WHERE w.team_id = $1 AND wt.tag_id = ANY($2) AND w.deleted_at IS NULL AND ($3::int[] IS NULL OR w.group_id = ANY($3))
       GROUP BY wt.tag_id`,
      [teamId, ids, groups],
    );
    return new Map(rows.map((r) => [r.tag_id, r.n]));
  }

  /** Whether a window (the recycle bin's included) outside `groups` has the tag; an ungrouped one is outside. */
  async usedOutside(id: number, groups: readonly number[]): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM window_tags wt JOIN windows w ON w.id = wt.window_id
       WHERE wt.tag_id = $1 AND (w.group_id IS NULL OR w.group_id <> ALL($2::int[])) LIMIT 1`,
      [id, groups],
    );
    return rows.length > 0;
  }

  /**
   * Which of the named tags the team has. Their rows stay key-share locked until the transaction
   * ends: a delete of one waits, so a window written with a tag found here never points at a tag
   * deleted in between (the insert into window_tags would fail its foreign key). A rename does not wait.
   */
  async existing(manager: EntityManager, teamId: number, ids: number[]): Promise<number[]> {
    const found: { id: number }[] = await manager.query(
      `SELECT id FROM tags WHERE team_id = $1 AND id = ANY($2::int[]) ORDER BY id FOR KEY SHARE`,
      [teamId, ids],
    );
    return found.map((t) => t.id);
  }
}
