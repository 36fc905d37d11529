/**
 * Every write to windows (create, edit, batch, delete) goes through here so that the lock order
 * (groups before windows, windows by id) is stated once; how each is read and written is the
 * `WindowStore`'s.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { InvalidParamError, NotFoundError, PageResult, WindowIsOpenError, WindowResponse } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { IdentityGenerator } from '../fingerprints/identity-generator';
import { AuditLog } from '../audit/audit-log';
import { AuthContext } from '../access/auth-context';
import { TeamStore } from '../accounts/team-store';
import { pageOf } from '../common/id.decorators';
import { SecretBox } from '../crypto/secret-box';
import { DeleteWindowsDto, ListWindowsDto, PartialUpdateDto, ProxyUpdateDto, UpdateWindowDto } from './dto/window.dto';
import { ListTotals } from './list-totals';
import { ListPages } from './list-pages';
import { WindowAccess } from './window-access';
import { applyProxyFields, DEFAULT_PROXY, sendsProxyFields } from './window-proxy';
import { WindowDetails } from './window-details';
import { answerOf, isHeld } from './window.views';
import { Bin, WindowFilter, WindowStore } from './window-store';

/** Filters the trigger-kept counters cannot answer: their totals count rows. */
function hasRowFilter(dto: ListWindowsDto): boolean {
  return Boolean(dto.keyword || dto.name || dto.remark || dto.openStatus || dto.tagIds?.length || dto.sortBy || dto.sortOrder);
}

/** The windows a list shows. */
function filterOf(auth: AuthContext, dto: ListWindowsDto, bin: Bin): WindowFilter {
  const { groupId, keyword, name, remark, openStatus, tagIds, sortBy, sortOrder } = dto;
  const sort = sortBy || sortOrder ? { by: sortBy ?? 'createdAt', order: sortOrder ?? 'desc' } : undefined;
  return { teamId: auth.teamId, bin, scopedGroupIds: auth.scopedGroupIds, groupId, keyword, name, remark, openStatus, tagIds, sort };
}

/** The fields a write sent, for the audit trail (never their values: secrets among them). */
function sentFields(dto: object): string[] {
  return Object.entries(dto)
    .filter(([key, value]) => value !== undefined && !['id', 'browserId', 'uuid', 'ids'].includes(key))
    .map(([key]) => key);
}

/** `tagIds` replaces the tags; `addTagIds` and `removeTagIds` change some of them: one way per call, a tag in one list only. */
function checkTagChange(patch: WindowPatch): void {
  if (patch.tagIds && (patch.addTagIds || patch.removeTagIds))
    throw new InvalidParamError('send tagIds (the whole list) or addTagIds and removeTagIds (a change to it), not both');
  const both = patch.addTagIds?.filter((id) => patch.removeTagIds?.includes(id)) ?? [];
  if (both.length > 0) throw new InvalidParamError(`tag ${both.join(', ')} is in both addTagIds and removeTagIds`);
}

/** What a batch write may set; each field is touched only when present. */
type WindowPatch = Pick<
  PartialUpdateDto,
  'name' | 'groupId' | 'remark' | 'tagIds' | 'addTagIds' | 'removeTagIds' | 'browserFingerPrint' | 'config'
>;

@Injectable()
export class WindowsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: WindowStore,
    private readonly teams: TeamStore,
    private readonly access: WindowAccess,
    private readonly details: WindowDetails,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly totals: ListTotals,
    private readonly pages: ListPages,
    private readonly identities: IdentityGenerator,
  ) {}

  async createOrEdit(auth: AuthContext, dto: UpdateWindowDto): Promise<WindowResponse> {
    this.identities.checkFirefoxVersion(dto.browserFingerPrint);
    return dto.windowRef ? this.edit(auth, dto, dto.windowRef) : this.create(auth, dto);
  }

  private async create(auth: AuthContext, dto: UpdateWindowDto): Promise<WindowResponse> {
    return this.db.transaction((manager) => this.createIn(manager, auth, dto));
  }

  /** Creates one window in the caller's transaction (an import makes many in one). */
  async createIn(manager: EntityManager, auth: AuthContext, dto: UpdateWindowDto): Promise<WindowResponse> {
    const { passwordCleared: _new, ...proxy } = applyProxyFields(DEFAULT_PROXY, dto, this.box);
    const groupId = await this.access.checkGroup(manager, auth, dto.groupId ?? (auth.scopedGroupIds ? undefined : 0));
    if (groupId === undefined) throw new InvalidParamError('groupId is required: you may only create windows in your groups');
    await this.access.checkTags(manager, auth, dto.tagIds);
    await this.access.checkSavedProxy(manager, auth, proxy.proxyId);
    const seq = await this.teams.nextWindowSeq(manager, auth.teamId);
    const window = await this.store.insert(manager, {
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
    });
    await this.replaceTags(manager, [window.id], dto.tagIds);
    await this.audit.record(manager, { teamId: auth.teamId, actorId: auth.userId, kind: 'window.created', windowIds: [window.id] });
    return answerOf(await this.store.view(manager, window.id));
  }

  /** The answer adds `proxyPasswordCleared` when the proxy moved without its password. */
  private async edit(auth: AuthContext, dto: UpdateWindowDto, ref: WindowRef): Promise<WindowResponse> {
    return this.db.transaction(async (manager) => {
      // The group before the window: the one order every writer of both takes (see WindowAccess).
      const groupId = await this.access.checkGroup(manager, auth, dto.groupId);
      const window = await this.access.requireWindow(manager, auth, ref, 'write');
      await this.access.checkTags(manager, auth, dto.tagIds);
      let proxyPasswordCleared = false as boolean;
      if (sendsProxyFields(dto)) {
        const boundBefore = window.proxyId;
        const { passwordCleared, ...proxy } = applyProxyFields(window, dto, this.box);
        Object.assign(window, proxy);
        proxyPasswordCleared = passwordCleared;
        await this.access.checkSavedProxy(manager, auth, window.proxyId, boundBefore);
      }
      if (dto.name !== undefined) window.name = dto.name;
      if (groupId !== undefined) window.groupId = groupId;
      if (dto.remark !== undefined) window.remark = dto.remark;
      if (dto.browserFingerPrint !== undefined) window.fingerprint = dto.browserFingerPrint;
      if (dto.config !== undefined) window.config = dto.config;
      const saved = await this.store.save(manager, window);
      await this.replaceTags(manager, [window.id], dto.tagIds);
      await this.audit.record(manager, {
        ...this.actor(auth),
        kind: 'window.updated',
        windowIds: [window.id],
        data: { fields: sentFields(dto) },
      });
      const view = answerOf(await this.store.view(manager, saved.id));
      return proxyPasswordCleared ? { ...view, proxyPasswordCleared: true } : view;
    });
  }

  /** The window with its group name and tags (one coalesced statement), checked for scope afterwards. */
  async detail(auth: AuthContext, ref: WindowRef): Promise<WindowResponse> {
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
  async list(auth: AuthContext, dto: ListWindowsDto, bin: Bin = 'live'): Promise<PageResult<WindowResponse>> {
    const { page, pageSize, offset } = pageOf(dto);
    const filter = filterOf(auth, dto, bin);
    if (!hasRowFilter(dto)) return { ...(await this.pages.page(filter, offset, pageSize)), page, pageSize };
    if (dto.openStatus) {
      // Leases run out with time, not with a change: this total is counted each time.
      const [list, total] = await Promise.all([this.store.filteredPage(filter, offset, pageSize), this.store.filteredCount(filter)]);
      return { list: list.map(answerOf), total, page, pageSize };
    }
    // Other row filters: the page comes with the team's list version; the total is the count kept
    // at that version, or counted now.
    const { list, version } = await this.store.filteredPageAtVersion(filter, offset, pageSize);
    return { list: list.map(answerOf), total: await this.totals.total(filter, version), page, pageSize };
  }

  /** One transaction for the whole batch: every id must be writable or nothing changes. */
  async patch(auth: AuthContext, ids: number[], patch: WindowPatch): Promise<{ updated: number }> {
    this.identities.checkFirefoxVersion(patch.browserFingerPrint);
    checkTagChange(patch);
    return this.db.transaction(async (manager) => {
      const groupId = await this.access.checkGroup(manager, auth, patch.groupId);
      await this.access.requireWindows(manager, auth, ids, 'write');
      await this.access.checkTags(manager, auth, patch.tagIds);
      await this.access.checkTags(manager, auth, patch.addTagIds, 'addTagIds');
      await this.access.checkTags(manager, auth, patch.removeTagIds, 'removeTagIds');
      // A batch merges the fingerprint and config fields it sends into each window's own.
      await this.store.update(manager, ids, {
        name: patch.name,
        groupId,
        remark: patch.remark,
        mergeFingerprint: patch.browserFingerPrint,
        mergeConfig: patch.config,
      });
      await this.replaceTags(manager, ids, patch.tagIds);
      // Added and taken off where the windows' tags are, at the moment of writing: a change a
      // teammate (or an earlier click) made meanwhile to other tags stays.
      if (patch.addTagIds) await this.store.addTags(manager, ids, patch.addTagIds);
      if (patch.removeTagIds) await this.store.removeTags(manager, ids, patch.removeTagIds);
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
      await this.store.setProxy(manager, dto.ids, proxy);
      await this.audit.record(manager, { ...this.actor(auth), kind: 'window.updated', windowIds: dto.ids, data: { fields: ['proxy'] } });
      return { updated: dto.ids.length };
    });
  }

  /** Moves windows to the recycle bin; an open window must be closed first. */
  async recycle(auth: AuthContext, dto: Pick<DeleteWindowsDto, 'ids' | 'windowRef'>): Promise<{ deleted: number }> {
    if (dto.ids && dto.windowRef) throw new InvalidParamError('pass either ids or one of id, browserId, uuid');
    return this.db.transaction(async (manager) => {
      const windows = dto.windowRef
        ? [await this.access.requireWindow(manager, auth, dto.windowRef, 'write')]
        : // Without a reference the DTO has checked that ids names the windows.
          await this.access.requireWindows(manager, auth, dto.ids ?? [], 'write');
      const open = windows.filter((w) => isHeld(w));
      if (open.length > 0) throw new WindowIsOpenError(open.map((w) => w.id));
      await this.store.moveToBin(
        manager,
        windows.map((w) => w.id),
        auth.userId,
      );
      await this.audit.record(manager, { ...this.actor(auth), kind: 'window.deleted', windowIds: windows.map((w) => w.id) });
      return { deleted: windows.length };
    });
  }

  async restore(auth: AuthContext, ids: number[]): Promise<{ restored: number }> {
    return this.db.transaction(async (manager) => {
      await this.access.requireWindows(manager, auth, ids, 'write', 'recycled');
      await this.store.takeFromBin(manager, ids);
      await this.audit.record(manager, { ...this.actor(auth), kind: 'window.restored', windowIds: ids });
      return { restored: ids.length };
    });
  }

  async deletePermanently(auth: AuthContext, ids: number[]): Promise<{ deleted: number }> {
    return this.db.transaction(async (manager) => {
      await this.access.requireWindows(manager, auth, ids, 'write', 'recycled');
      const gone = await this.store.deleteForGood(manager, ids);
      await this.audit.recordGone(manager, { actorId: auth.userId, kind: 'window.purged' }, gone);
      return { deleted: ids.length };
    });
  }

  /** Empties the caller's part of the bin: a limited member only clears windows in their groups. */
  async clearBin(auth: AuthContext): Promise<{ deleted: number }> {
    return this.db.transaction(async (manager) => {
      const gone = await this.store.deleteBinned(manager, auth.teamId, auth.scopedGroupIds);
      await this.audit.recordGone(manager, { actorId: auth.userId, kind: 'window.purged' }, gone);
      return { deleted: gone.length };
    });
  }

  private actor(auth: AuthContext) {
    return { teamId: auth.teamId, actorId: auth.userId };
  }

  private async replaceTags(manager: EntityManager, windowIds: number[], tagIds: number[] | undefined): Promise<void> {
    // Tags left out stay as they are; an empty list removes them all.
    if (tagIds !== undefined) await this.store.replaceTags(manager, windowIds, tagIds);
  }
}
