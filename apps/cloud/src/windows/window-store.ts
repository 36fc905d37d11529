/**
 * Long: the one place that says how `windows` and `window_tags` are read and written, in whatever
 * form each read needs (query builder, raw SQL, prepared statements); splitting it would spread
 * the table's SQL over files again.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager, SelectQueryBuilder } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { OpenStatus, SortOrder, StoredCookie, WindowRef, WindowSortField, WindowTag } from '@cos/contracts';
import { escapeLike } from '../common/sql';
import { PreparedReads } from '../database/prepared-reads';
import { WindowEntity } from './window.entity';

export type Bin = 'live' | 'recycled';

/** What access checks and batch writes need of each window they name. */
export type BatchWindow = Pick<WindowEntity, 'id' | 'groupId' | 'openStatus' | 'openLeaseUntil'>;

/** A window deleted for good, as the audit trail records it. */
export interface GoneWindow {
  id: number;
  team_id: number;
  group_id: number | null;
}

/** A window as lists and details show it: its row (without the cookies), its group's name, its tags. */
export interface WindowView {
  window: WindowEntity;
  groupName: string;
  tags: WindowTag[];
  cookieCount: number;
}

/** Which windows a list shows: a team's bin, a limited member's groups, and the list's filters. */
export interface WindowFilter {
  teamId: number;
  bin: Bin;
  /** Null when every group is in scope. */
  scopedGroupIds: readonly number[] | null;
  /** 0: ungrouped windows. */
  groupId?: number;
  keyword?: string;
  name?: string;
  remark?: string;
  openStatus?: OpenStatus;
  tagIds?: number[];
  /** Unset: newest (or last binned) first, the order the indexes keep. */
  sort?: { by: WindowSortField; order: SortOrder };
}

/** A list's ordering key at one row. */
export interface Anchor {
  /** The ordering column's value as PostgreSQL prints it: microseconds kept. */
  at: string;
  id: number;
}

/** How a page of a list is read from its ordering index. */
export interface IndexPlan {
  direction: 'ASC' | 'DESC';
  skip: number;
  take: number;
  /** Rows at or after this key (in the list's order) only. */
  from?: Anchor;
}

/** A list's total from the trigger-kept counters, with the team's list version. */
export interface Counted {
  total: number;
  version: string;
}

/** Fields a batch write sets on every window it names; each is touched only when present. */
export interface WindowChanges {
  name?: string;
  groupId?: number | null;
  remark?: string;
  /** Merged into the stored fingerprint, key by key. */
  mergeFingerprint?: object;
  /** Merged into the stored config, key by key. */
  mergeConfig?: object;
}

/** The column each sort field orders by (ties go by id in the same direction). */
const SORT_COLUMNS: Record<WindowSortField, string> = { createdAt: 'w.created_at', name: 'lower(w.name)' };
const orderColumnOf = (bin: Bin) => (bin === 'live' ? 'w.created_at' : 'w.deleted_at');
const binCondition = (bin: Bin) => `w.deleted_at IS ${bin === 'live' ? '' : 'NOT '}NULL`;
const PAGE_FROM = (ids: string) => `unnest(ARRAY(${ids})) WITH ORDINALITY AS p(id, n) JOIN windows w ON w.id = p.id`;
const LIST_VERSION = (team: string) =>
  `SELECT coalesce(max(v.version), 0)::text AS version FROM window_list_versions v WHERE v.team_id = ${team}`;

interface ViewRow extends Record<string, unknown> {
  group_name: string | null;
  tag_list: WindowTag[];
  cookie_count: number | null;
}

/**
 * Reads and writes of windows. Methods that take an `EntityManager` run in the caller's
 * transaction (and take the locks they say); the others read on their own. Lists and details
 * read every selectable column (so not the cookies) with the group's name and the tags, in the
 * one statement; the hottest of them go through `PreparedReads`.
 */
@Injectable()
export class WindowStore {
  private readonly columns: ColumnMetadata[];
  private readonly selectList: string;
  private readonly detailStatement: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reads: PreparedReads,
  ) {
    this.columns = db.getMetadata(WindowEntity).columns.filter((c) => c.isSelect);
    this.selectList = this.columns.map((c) => `w.${c.databaseName}`).join(', ');
    this.detailStatement = this.viewStatement(
      `unnest($1::int[], $2::int[], $3::uuid[]) WITH ORDINALITY AS r(team_id, id, uuid, n)
       JOIN windows w ON w.team_id = r.team_id AND w.id = coalesce(r.id, (SELECT x.id FROM windows x WHERE x.uuid = r.uuid))`,
      'w.deleted_at IS NULL AND (r.uuid IS NULL OR w.uuid = r.uuid)',
      'r.n AS ref_index',
    );
  }

  // One window, or the windows a write names.

  /** The named windows of a team in `bin`, in id order; locked `FOR UPDATE` (in id order) when `lock`. */
  async forBatch(manager: EntityManager, teamId: number, ids: readonly number[], bin: Bin, lock: boolean): Promise<BatchWindow[]> {
    const rows: { id: number; group_id: number | null; open_status: WindowEntity['openStatus']; open_lease_until: Date | null }[] =
      await manager.query(
        `SELECT id, group_id, open_status, open_lease_until FROM windows
         WHERE team_id = $1 AND id = ANY($2) AND deleted_at IS ${bin === 'live' ? '' : 'NOT '}NULL
         ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
        [teamId, ids],
      );
    return rows.map((r) => ({ id: r.id, groupId: r.group_id, openStatus: r.open_status, openLeaseUntil: r.open_lease_until }));
  }

  /** One window of a team in `bin`, by id, uuid or both; its row locked for update when `lock`. */
  find(manager: EntityManager, teamId: number, ref: WindowRef, bin: Bin, lock: boolean): Promise<WindowEntity | null> {
    const query = manager
      .getRepository(WindowEntity)
      .createQueryBuilder('w')
      .where('w.team_id = :teamId', { teamId })
      .andWhere(bin === 'live' ? 'w.deleted_at IS NULL' : 'w.deleted_at IS NOT NULL');
    if (ref.id !== undefined) query.andWhere('w.id = :id', { id: ref.id });
    if (ref.uuid !== undefined) query.andWhere('w.uuid = :uuid', { uuid: ref.uuid });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  // Writes.

  insert(manager: EntityManager, fields: DeepPartial<WindowEntity>): Promise<WindowEntity> {
    return manager.save(manager.create(WindowEntity, fields));
  }

  /** Writes a window loaded with `find` back, as changed. */
  save(manager: EntityManager, window: WindowEntity): Promise<WindowEntity> {
    return manager.save(window);
  }

  /** Sets the same changes on every window named, in one statement. */
  async update(manager: EntityManager, ids: readonly number[], changes: WindowChanges): Promise<void> {
    const set: Record<string, string> = {};
    const params: unknown[] = [ids];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (changes.name !== undefined) set.name = param(changes.name);
    if (changes.groupId !== undefined) set.group_id = param(changes.groupId);
    if (changes.remark !== undefined) set.remark = param(changes.remark);
    if (changes.mergeFingerprint !== undefined)
      set.fingerprint = `fingerprint || ${param(JSON.stringify(changes.mergeFingerprint))}::jsonb`;
    if (changes.mergeConfig !== undefined) set.config = `config || ${param(JSON.stringify(changes.mergeConfig))}::jsonb`;
    const assignments = Object.entries(set).map(([column, value]) => `${column} = ${value}`);
    await manager.query(`UPDATE windows SET ${[...assignments, 'updated_at = now()'].join(', ')} WHERE id = ANY($1)`, params);
  }

  /** The same proxy fields on every window named. */
  async setProxy(manager: EntityManager, ids: readonly number[], proxy: Partial<WindowEntity>): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(WindowEntity)
      .set({ ...proxy, updatedAt: () => 'now()' })
      .where('id = ANY(:ids)', { ids })
      .execute();
  }

  /** Into the recycle bin, by `userId`; whatever lease a window had ends with it. */
  async moveToBin(manager: EntityManager, ids: readonly number[], userId: number): Promise<void> {
    await manager.query(
      `UPDATE windows SET deleted_at = now(), deleted_by = $2, open_status = 'closed', open_device_id = NULL,
           open_pid = NULL, open_lease_until = NULL WHERE id = ANY($1)`,
      [ids, userId],
    );
  }

  async takeFromBin(manager: EntityManager, ids: readonly number[]): Promise<void> {
    await manager.query(`UPDATE windows SET deleted_at = NULL, deleted_by = NULL, updated_at = now() WHERE id = ANY($1)`, [ids]);
  }

  async deleteForGood(manager: EntityManager, ids: readonly number[]): Promise<GoneWindow[]> {
    const [gone] = await manager.query<[GoneWindow[], number]>(`DELETE FROM windows WHERE id = ANY($1) RETURNING id, team_id, group_id`, [
      ids,
    ]);
    return gone;
  }

  /** Deletes a team's binned windows, only those in `groupIds` unless it is null. */
  async deleteBinned(manager: EntityManager, teamId: number, groupIds: readonly number[] | null): Promise<GoneWindow[]> {
    const [gone] = await manager.query<[GoneWindow[], number]>(
      `DELETE FROM windows WHERE team_id = $1 AND deleted_at IS NOT NULL ${groupIds ? 'AND group_id = ANY($2)' : ''} RETURNING id, team_id, group_id`,
      groupIds ? [teamId, groupIds] : [teamId],
    );
    return gone;
  }

  /** Deletes, across teams, the windows binned more than `days` days ago. */
  async deleteBinnedBefore(manager: EntityManager, days: number): Promise<GoneWindow[]> {
    const [gone] = await manager.query<[GoneWindow[], number]>(
      `DELETE FROM windows WHERE deleted_at IS NOT NULL AND deleted_at < now() - make_interval(days => $1) RETURNING id, team_id, group_id`,
      [days],
    );
    return gone;
  }

  /** Every window named gets exactly `tagIds`. */
  async replaceTags(manager: EntityManager, windowIds: readonly number[], tagIds: readonly number[]): Promise<void> {
    await manager.query(`DELETE FROM window_tags WHERE window_id = ANY($1)`, [windowIds]);
    if (tagIds.length === 0) return;
    await manager.query(`INSERT INTO window_tags (window_id, tag_id) SELECT w, t FROM unnest($1::int[]) w CROSS JOIN unnest($2::int[]) t`, [
      windowIds,
      tagIds,
    ]);
  }

  /** Every window named gets `tagIds` too; the tags it has stay. */
  async addTags(manager: EntityManager, windowIds: readonly number[], tagIds: readonly number[]): Promise<void> {
    await manager.query(
      `INSERT INTO window_tags (window_id, tag_id) SELECT w, t FROM unnest($1::int[]) w CROSS JOIN unnest($2::int[]) t ON CONFLICT DO NOTHING`,
      [windowIds, tagIds],
    );
  }

  /** No window named keeps any of `tagIds`; its other tags stay. */
  async removeTags(manager: EntityManager, windowIds: readonly number[], tagIds: readonly number[]): Promise<void> {
    await manager.query(`DELETE FROM window_tags WHERE window_id = ANY($1) AND tag_id = ANY($2)`, [windowIds, tagIds]);
  }

  // Cookies and profile.

  async cookies(manager: EntityManager, id: number): Promise<StoredCookie[]> {
    const [{ cookies }]: { cookies: StoredCookie[] }[] = await manager.query(`SELECT cookies FROM windows WHERE id = $1`, [id]);
    return cookies;
  }

  async cookiesEpoch(manager: EntityManager, id: number): Promise<number> {
    const [{ cookies_epoch: epoch }]: { cookies_epoch: number }[] = await manager.query(`SELECT cookies_epoch FROM windows WHERE id = $1`, [
      id,
    ]);
    return epoch;
  }

  /** Stores a window's cookies; `newEpoch` moves its cookie epoch (a replace, not a merge). */
  async setCookies(manager: EntityManager, id: number, cookies: StoredCookie[], newEpoch: boolean): Promise<void> {
    await manager.query(
      `UPDATE windows SET cookies = $2::jsonb, cookies_epoch = cookies_epoch + CASE WHEN $3 THEN 1 ELSE 0 END, updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(cookies), newEpoch],
    );
  }

  /** Makes `version` the window's current profile version; its cookies, when given, the stored ones. */
  async setProfileVersion(manager: EntityManager, id: number, version: number, cookies: StoredCookie[] | null): Promise<void> {
    await manager.query(
      `UPDATE windows SET profile_version = $2, cookies = coalesce($3::jsonb, cookies), updated_at = now() WHERE id = $1`,
      [id, version, cookies ? JSON.stringify(cookies) : null],
    );
  }

  /** The stored cookies and their epoch, as a launch hands them out. */
  async cookieJar(manager: EntityManager, id: number): Promise<{ cookies: StoredCookie[]; cookiesEpoch: number }> {
    const [row]: { cookies: StoredCookie[]; cookies_epoch: number }[] = await manager.query(
      `SELECT cookies, cookies_epoch FROM windows WHERE id = $1`,
      [id],
    );
    return { cookies: row.cookies, cookiesEpoch: row.cookies_epoch };
  }

  // Open status and lease.

  /** Sets who holds the window and how; any status but `closed` (re)starts the lease of `leaseSeconds`. */
  async setOpenStatus(
    manager: EntityManager,
    id: number,
    open: { status: OpenStatus; deviceId: string; pid: number | null; leaseSeconds: number },
  ): Promise<{ openStatus: OpenStatus; openDeviceId: string | null; leaseUntil: Date | null }> {
    const closed = open.status === 'closed';
    const [[row]] = await manager.query<
      [[{ open_status: OpenStatus; open_device_id: string | null; open_lease_until: Date | null }], number]
    >(
      `UPDATE windows SET open_status = $2, open_device_id = $3, open_pid = $4,
         open_lease_until = CASE WHEN $5 THEN NULL ELSE now() + make_interval(secs => $6) END
       WHERE id = $1 RETURNING open_status, open_device_id, open_lease_until`,
      [id, open.status, closed ? null : open.deviceId, closed ? null : open.pid, closed, open.leaseSeconds],
    );
    return { openStatus: row.open_status, openDeviceId: row.open_device_id, leaseUntil: row.open_lease_until };
  }

  /**
   * Records a close: the window is closed and free, its profile pointer moved when given, and its
   * cookies stored when `cookies` is given and read in the window's current cookie epoch (or no
   * epoch is named). Answers whether the cookies were stored.
   */
  async recordClose(
    manager: EntityManager,
    id: number,
    close: { cookies: StoredCookie[] | null; cookiesEpoch: number | null; profile: WindowEntity['profile'] | null },
  ): Promise<boolean> {
    const [[{ stored }]] = await manager.query<[[{ stored: boolean }], number]>(
      `UPDATE windows SET cookies = CASE WHEN $2 AND ($5::int IS NULL OR cookies_epoch = $5) THEN $3::jsonb ELSE cookies END,
         profile = coalesce($4::jsonb, profile),
         open_status = 'closed', open_device_id = NULL, open_pid = NULL, open_lease_until = NULL, updated_at = now()
       WHERE id = $1
       RETURNING ($2 AND ($5::int IS NULL OR cookies_epoch = $5)) AS stored`,
      [
        id,
        close.cookies !== null,
        JSON.stringify(close.cookies ?? []),
        close.profile ? JSON.stringify(close.profile) : null,
        close.cookiesEpoch,
      ],
    );
    return stored;
  }

  // Views: single windows.

  async view(manager: EntityManager, id: number): Promise<WindowView> {
    const rows: ViewRow[] = await manager.query(this.viewStatement('windows w', 'w.id = $1'), [id]);
    return this.toView(rows[0]);
  }

  /**
   * The live windows `refs` name (a team and an id, a uuid or both, which must then name the same
   * window), by position, in one prepared statement; undefined where none is.
   */
  async details(refs: readonly { teamId: number; id?: number; uuid?: string }[]): Promise<(WindowView | undefined)[]> {
    const rows = await this.reads.query<Record<string, unknown>>(this.detailStatement, [
      refs.map((r) => r.teamId),
      refs.map((r) => r.id ?? null),
      refs.map((r) => r.uuid ?? null),
    ]);
    const found = new Map(rows.map((row) => [Number(row.ref_index), this.toView(row)]));
    return refs.map((_, i) => found.get(i + 1));
  }

  // Views: lists filtered by any field (query builder).

  /** A page of a filtered list, newest (or last binned) first. */
  async filteredPage(filter: WindowFilter, offset: number, take: number): Promise<WindowView[]> {
    const [sql, params] = this.filteredIds(filter, offset, take);
    const rows: ViewRow[] = await this.db.manager.query(this.pageStatement(sql), params);
    return rows.map((row) => this.toView(row));
  }

  /** As `filteredPage`, with the team's list version read in the same statement (so of the same snapshot). */
  async filteredPageAtVersion(filter: WindowFilter, offset: number, take: number): Promise<{ list: WindowView[]; version: string }> {
    const [sql, params] = this.filteredIds(filter, offset, take);
    const rows: (ViewRow & { version: string })[] = await this.db.manager.query(
      this.pageBesideStatement(sql, LIST_VERSION(`$${params.length + 1}`)),
      [...params, filter.teamId],
    );
    return { list: this.pageOf(rows), version: rows[0].version };
  }

  async filteredCount(filter: WindowFilter): Promise<number> {
    const counted = await this.filtered(filter).select('count(*)::int', 'total').getRawOne<{ total: number }>();
    return counted?.total ?? 0;
  }

  /** The count of a filtered list and the team's list version, read in one statement. */
  async filteredCountAtVersion(filter: WindowFilter): Promise<Counted> {
    const counted = await this.filtered(filter)
      .select('count(*)::int', 'total')
      .addSelect(`(SELECT coalesce(max(v.version), 0)::text FROM window_list_versions v WHERE v.team_id = :listTeam)`, 'version')
      .setParameter('listTeam', filter.teamId)
      .getRawOne<{ total: number; version: string }>();
    return { total: counted?.total ?? 0, version: counted?.version ?? '0' };
  }

  /** The ordering key of every `every`-th row of a list, with the list version they were read at. */
  async anchors(filter: WindowFilter, every: number): Promise<{ anchors: Anchor[]; version: string }> {
    const orderColumn = orderColumnOf(filter.bin);
    const [inner, params] = this.filtered(filter)
      .select(`${orderColumn}::text`, 'at')
      .addSelect('w.id', 'id')
      .addSelect(`row_number() OVER (ORDER BY ${orderColumn} DESC, w.id DESC)`, 'n')
      .getQueryAndParameters();
    const rows: { at: string; id: number; version: string | null }[] = await this.db.query(
      `SELECT t.at, t.id, (SELECT v.version::text FROM window_list_versions v WHERE v.team_id = $${params.length + 1}) AS version
       FROM (${inner}) t WHERE (t.n - 1) % ${every} = 0 ORDER BY t.n`,
      [...(params as unknown[]), filter.teamId],
    );
    return { version: rows[0]?.version ?? '0', anchors: rows.map((r) => ({ at: r.at, id: r.id })) };
  }

  private filtered(filter: WindowFilter): SelectQueryBuilder<WindowEntity> {
    const query = this.db
      .getRepository(WindowEntity)
      .createQueryBuilder('w')
      .where('w.team_id = :teamId', { teamId: filter.teamId })
      .andWhere(filter.bin === 'live' ? 'w.deleted_at IS NULL' : 'w.deleted_at IS NOT NULL');
    const scoped = filter.scopedGroupIds;
    if (scoped) query.andWhere('w.group_id = ANY(:scoped)', { scoped });
    if (filter.groupId !== undefined) {
      query.andWhere(filter.groupId === 0 ? 'w.group_id IS NULL' : 'w.group_id = :groupId', { groupId: filter.groupId });
    }
    if (filter.keyword) query.andWhere('(w.name ILIKE :kw OR w.remark ILIKE :kw)', { kw: `%${escapeLike(filter.keyword)}%` });
    if (filter.name) query.andWhere('w.name ILIKE :name', { name: `%${escapeLike(filter.name)}%` });
    if (filter.remark) query.andWhere('w.remark ILIKE :remark', { remark: `%${escapeLike(filter.remark)}%` });
    if (filter.openStatus === 'closed') {
      query.andWhere(`(w.open_status = 'closed' OR w.open_lease_until IS NULL OR w.open_lease_until <= now())`);
    } else if (filter.openStatus) {
      query.andWhere('w.open_status = :openStatus AND w.open_lease_until > now()', { openStatus: filter.openStatus });
    }
    if (filter.tagIds?.length) {
      query.andWhere('EXISTS (SELECT 1 FROM window_tags wt WHERE wt.window_id = w.id AND wt.tag_id = ANY(:tagIds))', {
        tagIds: filter.tagIds,
      });
    }
    return query;
  }

  private filteredIds(filter: WindowFilter, offset: number, take: number): [sql: string, params: unknown[]] {
    return this.filtered(filter)
      .select('w.id', 'id')
      .orderBy(filter.sort ? SORT_COLUMNS[filter.sort.by] : orderColumnOf(filter.bin), filter.sort?.order === 'asc' ? 'ASC' : 'DESC')
      .addOrderBy('w.id', filter.sort?.order === 'asc' ? 'ASC' : 'DESC')
      .offset(offset)
      .limit(take)
      .getQueryAndParameters();
  }

  // Views: lists by team, scope and group only (prepared statements on the ordering index).

  /** The total of such a list from the counters, and the team's list version, in one statement. */
  async counted(filter: WindowFilter): Promise<Counted> {
    const params: unknown[] = [];
    const [row] = await this.reads.query<Counted>(this.countersStatement(filter, params), params);
    return row;
  }

  /** The page `plan` reads (null: none), beside the list's total and version, in one statement. */
  async indexPageCounted(filter: WindowFilter, plan: IndexPlan | null): Promise<{ list: WindowView[]; counted: Counted }> {
    const params: unknown[] = [];
    const ids = plan ? this.idsStatement(filter, plan, params) : 'SELECT NULL::int AS id LIMIT 0';
    const counters = this.countersStatement(filter, params);
    const rows = await this.reads.query<Record<string, unknown> & Counted>(this.pageBesideStatement(ids, counters), params);
    return { list: plan ? this.pageOf(rows) : [], counted: { total: rows[0].total, version: rows[0].version } };
  }

  /** Just the page `plan` reads, in the index's order. */
  async indexPage(filter: WindowFilter, plan: IndexPlan): Promise<WindowView[]> {
    const params: unknown[] = [];
    const ids = this.idsStatement(filter, plan, params);
    const rows = await this.reads.query<Record<string, unknown>>(this.pageStatement(ids), params);
    return rows.map((row) => this.toView(row));
  }

  /**
   * The ids of the planned page, from the ordering index alone: the same rows `filtered` selects
   * (team, bin, scope, group), every value a parameter appended to `params`. Written by hand, not
   * built by the query builder: that cost about 170 µs of CPU per page and changed the
   * statement's plan; the anchor tests compare every page with a plain scan.
   */
  private idsStatement(filter: WindowFilter, plan: IndexPlan, params: unknown[]): string {
    const column = orderColumnOf(filter.bin);
    const param = (value: unknown) => `$${params.push(value)}`;
    let where = `w.team_id = ${param(filter.teamId)} AND ${binCondition(filter.bin)}`;
    if (filter.scopedGroupIds) where += ` AND w.group_id = ANY(${param(filter.scopedGroupIds)}::int[])`;
    if (filter.groupId !== undefined)
      where += filter.groupId === 0 ? ' AND w.group_id IS NULL' : ` AND w.group_id = ${param(filter.groupId)}::int`;
    if (plan.from) where += ` AND (${column}, w.id) <= (${param(plan.from.at)}::timestamptz, ${param(plan.from.id)}::int)`;
    const order = `${column} ${plan.direction}, w.id ${plan.direction}`;
    return `SELECT w.id FROM windows w WHERE ${where} ORDER BY ${order} LIMIT ${param(plan.take)}::int OFFSET ${param(plan.skip)}::int`;
  }

  /** Total and version from the counters, its values appended to `params`. */
  private countersStatement(filter: WindowFilter, params: unknown[]): string {
    const param = (value: unknown) => `$${params.push(value)}`;
    const team = param(filter.teamId);
    let where = `team_id = ${team}`;
    if (filter.scopedGroupIds) where += ` AND group_id = ANY(${param(filter.scopedGroupIds)}::int[])`;
    if (filter.groupId !== undefined) where += ` AND group_id = ${param(filter.groupId)}::int`;
    return `SELECT coalesce(sum(${filter.bin === 'live' ? 'live' : 'recycled'}), 0)::int AS total,
              (SELECT coalesce(max(v.version), 0)::text FROM window_list_versions v WHERE v.team_id = ${team}) AS version
       FROM window_counts WHERE ${where}`;
  }

  // The view statement.

  /**
   * The statement that reads windows with their group name and tags in one round trip, whatever
   * their number: `from` names `windows w` (joined to whatever else), `where` is a condition with
   * `$n` parameters, `extra` more selected columns.
   */
  private viewStatement(from: string, where: string, extra = '', orderBy = ''): string {
    return `SELECT ${extra ? `${extra}, ` : ''}${this.selectList}, g.name AS group_name,
              jsonb_array_length(w.cookies) AS cookie_count,
              coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name, t.id)
                        FROM window_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.window_id = w.id), '[]') AS tag_list
       FROM ${from} LEFT JOIN groups g ON g.id = w.group_id
       WHERE ${where}${orderBy ? ` ORDER BY ${orderBy}` : ''}`;
  }

  /** The windows whose ids `ids` selects (a statement answering one `id` column), in its order. */
  private pageStatement(ids: string): string {
    return this.viewStatement(PAGE_FROM(ids), 'true', '', 'p.n');
  }

  /**
   * As `pageStatement`, beside the one row `beside` answers (a total, a version): its columns come
   * first in every row, and a page with no windows still answers one row.
   */
  private pageBesideStatement(ids: string, beside: string): string {
    return `WITH c AS (${beside})
       SELECT c.*, v.* FROM c LEFT JOIN (${this.viewStatement(PAGE_FROM(ids), 'true', 'p.n AS page_n')}) v ON true ORDER BY v.page_n`;
  }

  private pageOf(rows: Record<string, unknown>[]): WindowView[] {
    return rows.filter((row) => row.page_n !== null).map((row) => this.toView(row));
  }

  private toView(row: Record<string, unknown>): WindowView {
    const view = row as ViewRow;
    const window = new WindowEntity();
    for (const column of this.columns) (window as unknown as Record<string, unknown>)[column.propertyName] = row[column.databaseName];
    return { window, groupName: view.group_name ?? '', tags: view.tag_list, cookieCount: Number(view.cookie_count ?? 0) };
  }
}
