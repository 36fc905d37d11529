import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  checkCookies,
  ConflictError,
  InvalidParamError,
  NotFoundError,
  pickProxySettings,
  syncSettingsOf,
  WindowNotOpenHereError,
  WindowOpenElsewhereError,
} from '@cos/contracts';
import type { LaunchPayload, OpenStatus, WindowRef } from '@cos/contracts';
import { AuditLog } from '../audit/audit-log';
import { AuthContext } from '../access/auth-context';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { savedProxyEndpoint } from '../proxies/saved-proxy-endpoint';
import { ProxyStore } from '../proxies/proxy-store';
import { WindowAccess } from '../windows/window-access';
import { WindowStore } from '../windows/window-store';
import { isHeld, WindowViews } from '../windows/window.views';
import { WindowEntity } from '../windows/window.entity';
import { CloseWindowDto, LaunchWindowDto, OpenStatusDto } from './dto/launch.dto';

/**
 * What agents call: a window is held by one device at a time through a lease the agent renews
 * while the window runs. A lease that ran out frees the window for any device.
 */
@Injectable()
export class LaunchService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: WindowAccess,
    private readonly views: WindowViews,
    private readonly box: SecretBox,
    private readonly config: CloudConfig,
    private readonly audit: AuditLog,
    private readonly store: WindowStore,
    private readonly proxies: ProxyStore,
  ) {}

  /** The window by `uuid` or `id`; its answer is all an agent's open needs from the cloud before Firefox starts. */
  async launch(auth: AuthContext, dto: LaunchWindowDto): Promise<LaunchPayload> {
    return this.db.transaction(async (manager) => {
      const window = await this.holdable(manager, auth, dto.windowRef);
      const before = isHeld(window)
        ? { openStatus: window.openStatus, openDeviceId: window.openDeviceId }
        : { openStatus: 'closed' as const, openDeviceId: null };
      const windowIds = [window.id];
      const actor = { teamId: auth.teamId, actorId: auth.userId, windowIds };
      if (window.openDeviceId && window.openDeviceId !== auth.deviceId) {
        // Its holder's lease ran out (a held one was refused above): the window passes to this device.
        await this.audit.record(manager, { ...actor, kind: 'window.lease_expired', deviceId: window.openDeviceId });
      }
      await this.setStatus(manager, window.id, auth.deviceId, 'opening', null);
      await this.audit.record(manager, { ...actor, kind: 'window.lease_taken', deviceId: auth.deviceId });
      const { cookies, cookiesEpoch } = await this.store.cookieJar(manager, window.id);
      const view = await this.views.one(manager, window);
      // The one answer that carries the proxy password in the clear: the agent needs it to connect.
      const { hasProxyPassword: _masked, ...proxy } = {
        ...pickProxySettings(view),
        proxyPassword: window.proxyPasswordSealed ? this.box.open(window.proxyPasswordSealed) : '',
        ...(window.proxyMethod === 4 ? await this.savedProxy(manager, window) : {}),
      };
      return {
        window: view,
        proxy,
        sync: syncSettingsOf(window.config),
        cookies,
        cookiesEpoch,
        profile: window.profile,
        profileVersion: window.profileVersion,
        leaseSeconds: this.config.env.WINDOW_LEASE_SECONDS,
        before,
      };
    });
  }

  /** A window bound to a saved proxy (method 4) connects through that proxy as it is now. */
  private async savedProxy(manager: EntityManager, window: WindowEntity) {
    const saved = window.proxyId === null ? null : await this.proxies.find(window.teamId, window.proxyId, manager);
    if (!saved) throw new InvalidParamError(`Window ${window.uuid} uses proxyMethod 4 without a saved proxy; set proxyId`);
    const endpoint = savedProxyEndpoint(saved, this.box);
    return {
      proxyType: endpoint.type,
      host: endpoint.host,
      port: endpoint.port,
      proxyUserName: endpoint.username,
      proxyPassword: endpoint.password,
    };
  }

  async updateStatus(auth: AuthContext, dto: OpenStatusDto) {
    return this.db.transaction(async (manager) => {
      const window = await this.holdable(manager, auth, dto);
      // Renewals repeat the status every third of the lease: only a change is an event (the
      // console's status badges follow these).
      const kind = dto.status === 'opened' ? 'window.opened' : dto.status === 'closing' ? 'window.syncing' : null;
      if (kind && window.openStatus !== dto.status) {
        await this.audit.record(manager, {
          teamId: auth.teamId,
          actorId: auth.userId,
          kind,
          windowIds: [window.id],
          deviceId: auth.deviceId,
        });
      }
      return this.setStatus(manager, window.id, auth.deviceId, dto.status, dto.pid ?? null);
    });
  }

  async close(auth: AuthContext, dto: CloseWindowDto) {
    const cookies = dto.cookies ? checkCookies(dto.cookies) : undefined;
    return this.db.transaction(async (manager) => {
      const window = await this.holdable(manager, auth, dto);
      // Only the device the window was launched on records its close. Its lease may have lapsed
      // (a report retried from the outbox) as long as no other device launched the window since:
      // a launch, a close and a "closed" report each move or clear open_device_id.
      if (window.openDeviceId !== auth.deviceId) throw new WindowNotOpenHereError(dto.uuid);
      // Cookies read in an older cookie epoch (an import replaced them after the device's lease ran out) overwrite nothing.
      const syncCookies = await this.store.recordClose(manager, window.id, {
        cookies: syncSettingsOf(window.config).syncCookies && cookies !== undefined ? cookies : null,
        cookiesEpoch: dto.cookiesEpoch ?? null,
        profile: dto.profile ?? null,
      });
      const actor = { teamId: auth.teamId, actorId: auth.userId, windowIds: [window.id], deviceId: auth.deviceId };
      await this.audit.record(manager, { ...actor, kind: 'window.closed' });
      if (syncCookies || dto.profile) {
        await this.audit.record(manager, {
          ...actor,
          kind: 'window.synced',
          data: { cookieCount: syncCookies ? cookies!.length : null, profile: dto.profile ?? null },
        });
      }
      return { cookiesSynced: syncCookies, cookieCount: syncCookies ? cookies!.length : 0, profile: dto.profile ?? window.profile };
    });
  }

  /**
   * Locks the window; it must be live, in scope, and not held by another device's valid lease.
   * Scope comes first: a window outside it tells nothing of its state, the recycle bin included.
   */
  private async holdable(manager: EntityManager, auth: AuthContext, ref: WindowRef): Promise<WindowEntity> {
    const named = ref.uuid ?? String(ref.id);
    const binned = await this.store.find(manager, auth.teamId, ref, 'recycled', false);
    if (binned) {
      if (!auth.inScope(binned.groupId)) throw new NotFoundError(`Window ${named} not found`);
      throw new ConflictError(`Window ${named} is in the recycle bin and cannot be opened`);
    }
    const window = await this.access.requireWindow(manager, auth, ref, 'write');
    if (isHeld(window) && window.openDeviceId !== auth.deviceId) throw new WindowOpenElsewhereError(window.uuid);
    return window;
  }

  private async setStatus(manager: EntityManager, id: number, deviceId: string, status: OpenStatus, pid: number | null) {
    const leaseSeconds = this.config.env.WINDOW_LEASE_SECONDS;
    const row = await this.store.setOpenStatus(manager, id, { status, deviceId, pid, leaseSeconds });
    return { openStatus: row.openStatus, openDeviceId: row.openDeviceId, leaseUntil: row.leaseUntil?.toISOString() ?? null, leaseSeconds };
  }
}
