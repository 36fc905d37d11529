import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ForbiddenError, InvalidParamError, NotFoundError, WindowRef } from '@cos/contracts';
import { AuthContext } from '../access/auth-context';
import { ProxyStore } from '../proxies/proxy-store';
import { GroupStore } from '../groups/group-store';
import { TagStore } from '../tags/tag-store';
import { WindowEntity } from './window.entity';
import { BatchWindow, Bin, WindowStore } from './window-store';

export type { BatchWindow, Bin } from './window-store';
export type AccessMode = 'read' | 'write';

function plural(ids: readonly number[]): string {
  return ids.length > 1 ? `Windows ${ids.join(', ')}` : `Window ${ids[0]}`;
}

/**
 * The second check after the route's permission: which of the named windows the caller may touch,
 * in one query scoped to the team. Anything unknown is 404; out of a member's scope it is 404 to
 * read and 403 to write. Writers lock the rows until their transaction ends.
 *
 * Lock order, for every transaction that touches groups and windows together: the group row
 * first (`checkGroup`, or the group delete's own lock), then windows in id order. A writer that
 * locked windows and then waited for a group a delete held (while the delete waited for those
 * windows to ungroup them) deadlocked.
 */
@Injectable()
export class WindowAccess {
  constructor(
    private readonly store: WindowStore,
    private readonly groups: GroupStore,
    private readonly tags: TagStore,
    private readonly proxies: ProxyStore,
  ) {}

  /**
   * The named windows of the caller's team, in id order, with what access and batch writes look
   * at (a batch names up to 1,000: no more is read), locked for writes.
   */
  async requireWindows(
    manager: EntityManager,
    auth: AuthContext,
    ids: readonly number[],
    mode: AccessMode,
    bin: Bin = 'live',
  ): Promise<BatchWindow[]> {
    const windows = await this.store.forBatch(manager, auth.teamId, ids, bin, mode === 'write');
    const found = new Set(windows.map((w) => w.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new NotFoundError(`${plural(missing)} not found${bin === 'recycled' ? ' in the recycle bin' : ''}`);
    this.assertScope(auth, windows, mode);
    return windows;
  }

  /** One window, by uuid or id: unknown, binned and out of scope are all 404 with the same message. */
  async requireWindow(
    manager: EntityManager,
    auth: AuthContext,
    ref: WindowRef,
    mode: AccessMode,
    bin: Bin = 'live',
    /** Writers lock the row; a caller that only needs the write scope (a blob upload) looks without locking. */
    lock = mode === 'write',
  ): Promise<WindowEntity> {
    const window = await this.store.find(manager, auth.teamId, ref, bin, lock);
    // A window the caller may not see is answered like one that is not there (or is in the bin):
    // one answer for both, so a uuid tells a member nothing of windows outside their scope.
    if (!window || !auth.inScope(window.groupId)) throw new NotFoundError(`Window ${ref.uuid ?? ref.id} not found`);
    return window;
  }

  assertScope(auth: AuthContext, windows: Pick<WindowEntity, 'id' | 'groupId'>[], mode: AccessMode): void {
    const outside = windows.filter((w) => !auth.inScope(w.groupId)).map((w) => w.id);
    if (outside.length === 0) return;
    if (mode === 'read') throw new NotFoundError(`${plural(outside)} not found`);
    throw new ForbiddenError(`${plural(outside)} outside your window scope`);
  }

  /**
   * A target group must be the team's, and in scope for a limited member; 0 means ungrouped.
   * The group's row stays share-locked until the caller's transaction ends, so a concurrent
   * delete of the group waits for the windows moving into it (and then ungroups them) instead
   * of failing their write.
   */
  async checkGroup(manager: EntityManager, auth: AuthContext, groupId: number | undefined): Promise<number | null | undefined> {
    if (groupId === undefined) return undefined;
    if (groupId === 0) {
      if (auth.scopedGroupIds) throw new ForbiddenError('groupId 0 (ungrouped) is outside your window scope');
      return null;
    }
    if (!(await this.groups.holdShared(manager, auth.teamId, groupId)))
      throw new InvalidParamError(`groupId ${groupId} does not exist in your team`);
    if (!auth.inScope(groupId)) throw new ForbiddenError(`groupId ${groupId} is outside your window scope`);
    return groupId;
  }

  /**
   * A saved proxy a window binds (proxyMethod 4) must be one of the caller's team, and binding
   * one takes proxy:manage: a launch hands the proxy's password to whoever opens the window.
   * `boundBefore` is the proxy the window kept until now: sending it back unchanged binds nothing.
   */
  async checkSavedProxy(
    manager: EntityManager,
    auth: AuthContext,
    proxyId: number | null,
    boundBefore: number | null = null,
  ): Promise<void> {
    if (proxyId === null || proxyId === boundBefore) return;
    if (!auth.holds('proxy:manage'))
      throw new ForbiddenError('Permission denied: proxy:manage required to bind a saved proxy (proxyMethod 4)');
    if (!(await this.proxies.holdExisting(manager, auth.teamId, proxyId)))
      throw new InvalidParamError(`proxyId ${proxyId} is not a saved proxy of your team`);
    // A window's launch hands its proxy's password to the device that opens it: a member limited to
    // groups binds only proxies no window outside them uses, as they may edit or delete only those.
    const groups = auth.scopedGroupIds;
    if (groups && (await this.proxies.usedOutside(manager, proxyId, groups)))
      throw new ForbiddenError(`Proxy ${proxyId} is used by windows outside your window scope; a team admin may bind it`);
  }

  async checkTags(
    manager: EntityManager,
    auth: AuthContext,
    tagIds: number[] | undefined,
    field = 'tagIds',
  ): Promise<number[] | undefined> {
    if (!tagIds || tagIds.length === 0) return tagIds;
    const found = await this.tags.existing(manager, auth.teamId, tagIds);
    const missing = tagIds.filter((id) => !found.includes(id));
    if (missing.length > 0) throw new InvalidParamError(`${field}: tag ${missing.join(', ')} does not exist in your team`);
    return tagIds;
  }
}

export function hasRef(body: { id?: unknown; browserId?: unknown; uuid?: unknown }): boolean {
  return [body.id, body.browserId, body.uuid].some((v) => v !== undefined && v !== null && v !== '');
}
