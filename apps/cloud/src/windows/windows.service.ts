/**
 * Long: every write to windows (create, edit, batch, delete) goes through here so that the lock
 * order (groups before windows, windows by id) is stated once.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { InvalidParamError, NotFoundError, PageResult, resolveWindowRef, WindowIsOpenError, WindowResponse } from '@cos/contracts';
import { IdentityGenerator } from '../fingerprints/identity-generator';
import { AuditLog } from '../audit/audit-log';
import { AuthContext } from '../access/auth-context';
import { pageOf } from '../common/id.decorators';
import { escapeLike } from '../common/sql';
import { SecretBox } from '../crypto/secret-box';
import { DeleteWindowsDto, ListWindowsDto, PartialUpdateDto, ProxyUpdateDto, UpdateWindowDto, WindowRefDto } from './dto/window.dto';
import { ListTotals } from './list-totals';
import { ListPages } from './list-pages';
import { hasRef, WindowAccess } from './window-access';
import { applyProxyFields, DEFAULT_PROXY, sendsProxyFields } from './window-proxy';
import { WindowDetails } from './window-details';
import { isHeld, WindowViews } from './window.views';
import { WindowEntity } from './window.entity';

/** Filters the trigger-kept counters cannot answer: their totals count rows. */
function hasRowFilter(dto: ListWindowsDto): boolean {
  return Boolean(dto.keyword || dto.name || dto.remark || dto.openStatus || dto.tagIds?.length);
}

/** The fields a write sent, for the audit trail (never their values: secrets among them). */
function sentFields(dto: object): string[] {
  return Object.entries(dto)
    .filter(([key, value]) => value !== undefined && !['id', 'browserId', 'uuid', 'ids'].includes(key))
    .map(([key]) => key);
}

type GoneWindow = { id: number; team_id: number; group_id: number | null };

/** What a batch write may set; each field is touched only when present. */
type WindowPatch = Pick<PartialUpdateDto, 'name' | 'groupId' | 'remark' | 'tagIds' | 'browserFingerPrint' | 'config'>;

@Injectable()
export class WindowsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: WindowAccess,
    private readonly views: WindowViews,
    private readonly details: WindowDetails,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly totals: ListTotals,
    private readonly pages: ListPages,
    private readonly identities: IdentityGenerator,
  ) {}

  async createOrEdit(auth: AuthContext, dto: UpdateWindowDto): Promise<WindowResponse> {
    this.identities.checkFirefoxVersion(dto.browserFingerPrint);
    return hasRef(dto) ? this.edit(auth, dto) : this.create(auth, dto);
  }

  private async create(auth: AuthContext, dto: UpdateWindowDto): Promise<WindowResponse> {
    const { passwordCleared: _new, ...proxy } = applyProxyFields(DEFAULT_PROXY, dto, this.box);
    return this.db.transaction(async (manager) => {
      const groupId = await this.access.checkGroup(manager, auth, dto.groupId ?? (auth.scopedGroupIds ? undefined : 0));
      if (groupId === undefined) throw new InvalidParamError('groupId is required: you may only create windows in your groups');
      await this.access.checkTags(manager, auth, dto.tagIds);
      await this.access.checkSavedProxy(manager, auth, proxy.proxyId);
      // UPDATE answers [rows, rowCount]; the row lock also orders concurrent creates of a team.
      const [[{ window_seq: seq }]] = await manager.query<[[{ window_seq: number }], number]>(
        `UPDATE teams SET window_seq = window_seq + 1 WHERE id = $1 RETURNING window_seq`,
        [auth.teamId],
      );
      const window = await manager.save(
        manager.create(WindowEntity, {
          ...proxy,
          teamId: auth.teamId,
          seq,
          name: dto.name ?? `Window ${seq}`,
          groupId,
          remark: dto.remark ?? '',
          // A window created without a fingerprint is a device of its own, drawn from real-world statistics.
          fingerprint: dto.browserFingerPrint ?? this.identities.random(),
          config: dto.config ?? {},
          createdBy: auth.userId,
        }),
      );
      await this.replaceTags(manager, [window.id], dto.tagIds);
      await this.audit.record(manager, { teamId: auth.teamId, actorId: auth.userId, kind: 'window.created', windowIds: [window.id] });
      return this.views.one(manager, window);
    });
  }

  /** The answer adds `proxyPasswordCleared` when the proxy moved without its password. */
  private async edit(auth: AuthContext, dto: UpdateWindowDto): Promise<WindowResponse> {
    const ref = resolveWindowRef(dto as Record<string, unknown>);
    return this.db.transaction(async (manager) => {
      // The group before the window: the one order every writer of both takes (see WindowAccess).
      const groupId = await this.access.checkGroup(manager, auth, dto.groupId);
      const window = await this.access.requireWindow(manager, auth, ref, 'write');
      await this.access.checkTags(manager, auth, dto.tagIds);
      let proxyPasswordCleared = false as boolean;
      if (sendsProxyFields(dto)) {
        const { passwordCleared, ...proxy } = applyProxyFields(window, dto, this.box);
        Object.assign(window, proxy);
        proxyPasswordCleared = passwordCleared;
        await this.access.checkSavedProxy(manager, auth, window.proxyId);
      }
      if (dto.name !== undefined) window.name = dto.name;
      if (groupId !== undefined) window.groupId = groupId;
      if (dto.remark !== undefined) window.remark = dto.remark;
      if (dto.browserFingerPrint !== undefined) window.fingerprint = dto.browserFingerPrint;
      if (dto.config !== undefined) window.config = dto.config;
      const saved = await manager.save(window);
      await this.replaceTags(manager, [window.id], dto.tagIds);
      await this.audit.record(manager, {
        ...this.actor(auth),
        kind: 'window.updated',
        windowIds: [window.id],
        data: { fields: sentFields(dto) },
      });
      const view = await this.views.one(manager, saved);
      return proxyPasswordCleared ? { ...view, proxyPasswordCleared: true } : view;
    });
  }

  /** The window with its group name and tags (one coalesced statement), checked for scope afterwards. */
  async detail(auth: AuthContext, dto: WindowRefDto): Promise<WindowResponse> {
    const ref = resolveWindowRef(dto as Record<string, unknown>);
    const view = await this.details.get({ teamId: auth.teamId, ...ref });
    if (!view || !auth.inScope(view.groupId || null)) throw new NotFoundError(`Window ${ref.uuid ?? ref.id} not found`);
    return view;
  }

  /**
   * A page of windows. Lists filtered by team, scope and group only take their total from the
   * counters (`ListPages`); others count rows, once per list version (`ListTotals`), so a page of
   * a list counted before is one statement. A page's ids come from the ordering index alone and
   * its rows are loaded in the same statement.
   */
  async list(auth: AuthContext, dto: ListWindowsDto, bin: 'live' | 'recycled' = 'live'): Promise<PageResult<WindowResponse>> {
    const { page, pageSize, offset } = pageOf(dto);
    const filtered = this.filteredQuery(auth, dto, bin);
    if (!hasRowFilter(dto)) return { ...(await this.pages.page(auth, dto, bin, filtered, offset, pageSize)), page, pageSize };
    const orderColumn = bin === 'live' ? 'w.created_at' : 'w.deleted_at';
    const ids = filtered
      .clone()
      .select('w.id', 'id')
      .orderBy(orderColumn, 'DESC')
      .addOrderBy('w.id', 'DESC')
      .offset(offset)
      .limit(pageSize)
      .getQueryAndParameters();
    if (dto.openStatus) {
      // Leases run out with time, not with a change: this total is counted each time.
      const [list, counted] = await Promise.all([
        this.views.loadInOrder(this.db.manager, ids),
        filtered.clone().select('count(*)::int', 'total').getRawOne<{ total: number }>(),
      ]);
      return { list, total: counted?.total ?? 0, page, pageSize };
    }
    // Other row filters: the page comes with the team's list version; the total is the count kept
    // at that version, or counted now.
    const { list, version } = await this.views.loadInOrderAtVersion(this.db.manager, ids, auth.teamId);
    const key = JSON.stringify([
      bin,
      auth.scopedGroupIds ?? null,
      dto.groupId ?? null,
      dto.keyword ?? '',
      dto.name ?? '',
      dto.remark ?? '',
      [...(dto.tagIds ?? [])].sort((a, b) => a - b),
    ]);
    return { list, total: await this.totals.total(auth.teamId, key, version, filtered), page, pageSize };
  }

  private filteredQuery(auth: AuthContext, dto: ListWindowsDto, bin: 'live' | 'recycled'): SelectQueryBuilder<WindowEntity> {
    const query = this.db
      .getRepository(WindowEntity)
      .createQueryBuilder('w')
      .where('w.team_id = :teamId', { teamId: auth.teamId })
      .andWhere(bin === 'live' ? 'w.deleted_at IS NULL' : 'w.deleted_at IS NOT NULL');
    const scoped = auth.scopedGroupIds;
    if (scoped) query.andWhere('w.group_id = ANY(:scoped)', { scoped });
    if (dto.groupId !== undefined) {
      query.andWhere(dto.groupId === 0 ? 'w.group_id IS NULL' : 'w.group_id = :groupId', { groupId: dto.groupId });
    }
    if (dto.keyword) query.andWhere('(w.name ILIKE :kw OR w.remark ILIKE :kw)', { kw: `%${escapeLike(dto.keyword)}%` });
    if (dto.name) query.andWhere('w.name ILIKE :name', { name: `%${escapeLike(dto.name)}%` });
    if (dto.remark) query.andWhere('w.remark ILIKE :remark', { remark: `%${escapeLike(dto.remark)}%` });
    if (dto.openStatus === 'closed') {
      query.andWhere(`(w.open_status = 'closed' OR w.open_lease_until IS NULL OR w.open_lease_until <= now())`);
    } else if (dto.openStatus) {
      query.andWhere('w.open_status = :openStatus AND w.open_lease_until > now()', { openStatus: dto.openStatus });
    }
    if (dto.tagIds?.length) {
      query.andWhere('EXISTS (SELECT 1 FROM window_tags wt WHERE wt.window_id = w.id AND wt.tag_id = ANY(:tagIds))', {
        tagIds: dto.tagIds,
      });
    }
    return query;
  }

  /** One transaction for the whole batch: every id must be writable or nothing changes. */
  async patch(auth: AuthContext, ids: number[], patch: WindowPatch): Promise<{ updated: number }> {
    this.identities.checkFirefoxVersion(patch.browserFingerPrint);
    return this.db.transaction(async (manager) => {
      const groupId = await this.access.checkGroup(manager, auth, patch.groupId);
      await this.access.requireWindows(manager, auth, ids, 'write');
      await this.access.checkTags(manager, auth, patch.tagIds);
      const set: Record<string, string> = {};
      const params: unknown[] = [ids];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (patch.name !== undefined) set.name = param(patch.name);
      if (groupId !== undefined) set.group_id = param(groupId);
      if (patch.remark !== undefined) set.remark = param(patch.remark);
      if (patch.browserFingerPrint !== undefined)
        set.fingerprint = `fingerprint || ${param(JSON.stringify(patch.browserFingerPrint))}::jsonb`;
      if (patch.config !== undefined) set.config = `config || ${param(JSON.stringify(patch.config))}::jsonb`;
      const assignments = Object.entries(set).map(([column, value]) => `${column} = ${value}`);
      await manager.query(`UPDATE windows SET ${[...assignments, 'updated_at = now()'].join(', ')} WHERE id = ANY($1)`, params);
      await this.replaceTags(manager, ids, patch.tagIds);
      await this.audit.record(manager, {
        ...this.actor(auth),
        kind: 'window.updated',
        windowIds: ids,
        data: { fields: sentFields(patch) },
      });
      return { updated: ids.length };
    });
  }

  /** `/browser/proxy/update` sets the same proxy configuration on every window named. */
  async updateProxy(auth: AuthContext, dto: ProxyUpdateDto): Promise<{ updated: number }> {
    const { passwordCleared: _new, ...proxy } = applyProxyFields(DEFAULT_PROXY, dto, this.box);
    return this.db.transaction(async (manager) => {
      await this.access.requireWindows(manager, auth, dto.ids, 'write');
      await this.access.checkSavedProxy(manager, auth, proxy.proxyId);
      await manager
        .createQueryBuilder()
        .update(WindowEntity)
        .set({ ...proxy, updatedAt: () => 'now()' })
        .where('id = ANY(:ids)', { ids: dto.ids })
        .execute();
      await this.audit.record(manager, { ...this.actor(auth), kind: 'window.updated', windowIds: dto.ids, data: { fields: ['proxy'] } });
      return { updated: dto.ids.length };
    });
  }

  /** Moves windows to the recycle bin; an open window must be closed first. */
  async recycle(auth: AuthContext, dto: DeleteWindowsDto): Promise<{ deleted: number }> {
    if (dto.ids && hasRef(dto)) throw new InvalidParamError('pass either ids or one of id, browserId, uuid');
    return this.db.transaction(async (manager) => {
      const windows = dto.ids
        ? await this.access.requireWindows(manager, auth, dto.ids, 'write')
        : [await this.access.requireWindow(manager, auth, resolveWindowRef(dto as Record<string, unknown>), 'write')];
      const open = windows.filter((w) => isHeld(w));
      if (open.length > 0) throw new WindowIsOpenError(open.map((w) => w.id));
      await manager.query(
        `UPDATE windows SET deleted_at = now(), deleted_by = $2, open_status = 'closed', open_device_id = NULL,
           open_pid = NULL, open_lease_until = NULL WHERE id = ANY($1)`,
        [windows.map((w) => w.id), auth.userId],
      );
      await this.audit.record(manager, { ...this.actor(auth), kind: 'window.deleted', windowIds: windows.map((w) => w.id) });
      return { deleted: windows.length };
    });
  }

  async restore(auth: AuthContext, ids: number[]): Promise<{ restored: number }> {
    return this.db.transaction(async (manager) => {
      await this.access.requireWindows(manager, auth, ids, 'write', 'recycled');
      await manager.query(`UPDATE windows SET deleted_at = NULL, deleted_by = NULL, updated_at = now() WHERE id = ANY($1)`, [ids]);
      await this.audit.record(manager, { ...this.actor(auth), kind: 'window.restored', windowIds: ids });
      return { restored: ids.length };
    });
  }

  async deletePermanently(auth: AuthContext, ids: number[]): Promise<{ deleted: number }> {
    return this.db.transaction(async (manager) => {
      await this.access.requireWindows(manager, auth, ids, 'write', 'recycled');
      const [gone] = await manager.query<[GoneWindow[], number]>(`DELETE FROM windows WHERE id = ANY($1) RETURNING id, team_id, group_id`, [
        ids,
      ]);
      await this.audit.recordGone(manager, { actorId: auth.userId, kind: 'window.purged' }, gone);
      return { deleted: ids.length };
    });
  }

  /** Empties the caller's part of the bin: a limited member only clears windows in their groups. */
  async clearBin(auth: AuthContext): Promise<{ deleted: number }> {
    const scoped = auth.scopedGroupIds;
    return this.db.transaction(async (manager) => {
      const [gone] = await manager.query<[GoneWindow[], number]>(
        `DELETE FROM windows WHERE team_id = $1 AND deleted_at IS NOT NULL ${scoped ? 'AND group_id = ANY($2)' : ''} RETURNING id, team_id, group_id`,
        scoped ? [auth.teamId, scoped] : [auth.teamId],
      );
      await this.audit.recordGone(manager, { actorId: auth.userId, kind: 'window.purged' }, gone);
      return { deleted: gone.length };
    });
  }

  private actor(auth: AuthContext) {
    return { teamId: auth.teamId, actorId: auth.userId };
  }

  private async replaceTags(manager: EntityManager, windowIds: number[], tagIds: number[] | undefined): Promise<void> {
    if (tagIds === undefined) return;
    await manager.query(`DELETE FROM window_tags WHERE window_id = ANY($1)`, [windowIds]);
    if (tagIds.length === 0) return;
    await manager.query(`INSERT INTO window_tags (window_id, tag_id) SELECT w, t FROM unnest($1::int[]) w CROSS JOIN unnest($2::int[]) t`, [
      windowIds,
      tagIds,
    ]);
  }
}
