import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, InvalidParamError, NotFoundError } from '@cos/contracts';
import { ipCheckUrl, lookupExit, openProxyRoute, probeRoute, ProxyFailure } from '@cos/proxy-kit';
import { AuditLog } from '../audit/audit-log';
import { AuthContext } from '../access/auth-context';
import { pageOf } from '../common/id.decorators';
import { rethrowDuplicate } from '../common/sql';
import { CloudConfig } from '../config/cloud-config';
import { SecretBox } from '../crypto/secret-box';
import { AddProxyDto, CheckProxyDto, ListProxiesDto, UpdateProxyDto } from './dto/proxy.dto';
import { keepsPassword } from './proxy-password';
import { ProxyStore } from './proxy-store';
import { ProxyTargetPolicy } from './proxy-target-policy';
import { savedProxyEndpoint } from './saved-proxy-endpoint';
import { SavedProxyEntity } from './saved-proxy.entity';

/** Team proxies that windows bind with proxyMethod 4; passwords sealed at rest and never returned. */
@Injectable()
export class ProxiesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
    private readonly config: CloudConfig,
    private readonly targets: ProxyTargetPolicy,
    private readonly audit: AuditLog,
    private readonly proxies: ProxyStore,
  ) {}

  async list(auth: AuthContext, dto: ListProxiesDto) {
    const { page, pageSize, offset } = pageOf(dto);
    const [proxies, total] = await this.proxies.page({
      teamId: auth.teamId,
      keyword: dto.keyword,
      proxyType: dto.proxyType,
      offset,
      take: pageSize,
    });
    const usage = await this.proxies.windowCounts(
      auth.teamId,
      proxies.map((p) => p.id),
      auth.scopedGroupIds,
    );
    return { list: proxies.map((p) => this.view(p, usage.get(p.id) ?? 0)), total, page, pageSize };
  }

  async add(auth: AuthContext, dto: AddProxyDto) {
    const proxy = await this.db
      .transaction((manager) => this.addIn(manager, auth, dto))
      .catch(rethrowDuplicate(`A proxy named "${dto.name}" already exists`));
    return this.view(proxy, 0);
  }

  /** Saves one proxy in the caller's transaction (an import saves many in one). */
  async addIn(manager: EntityManager, auth: AuthContext, dto: AddProxyDto): Promise<SavedProxyEntity> {
    const saved = await this.proxies.insert(manager, {
      teamId: auth.teamId,
      name: dto.name,
      proxyType: dto.proxyType,
      host: dto.host,
      port: dto.port,
      username: dto.proxyUserName ?? '',
      passwordSealed: dto.proxyPassword ? this.box.seal(dto.proxyPassword) : null,
      remark: dto.remark ?? '',
      createdBy: auth.userId,
    });
    await this.recordChange(manager, auth, 'proxy.added', saved);
    return saved;
  }

  /**
   * Fields sent replace the saved ones; a changed address or credential forgets the last check.
   * A changed type, host or port without the password drops the stored one (`proxyPasswordCleared`).
   */
  async update(auth: AuthContext, dto: UpdateProxyDto) {
    const { proxy, proxyPasswordCleared } = await this.db
      .transaction(async (manager) => {
        // Read under the row's lock: two edits (or an edit and a delete) at once apply one after the other.
        const locked = await this.proxies.findLocked(manager, auth.teamId, dto.id);
        if (!locked) throw new NotFoundError(`Proxy ${dto.id} not found`);
        await this.assertAllUsesInScope(manager, auth, locked.id);
        return this.applyUpdate(manager, auth, locked, dto);
      })
      .catch(rethrowDuplicate(`A proxy named "${dto.name}" already exists`));
    const usage = await this.proxies.windowCounts(auth.teamId, [proxy.id], auth.scopedGroupIds);
    const view = this.view(proxy, usage.get(proxy.id) ?? 0);
    return proxyPasswordCleared ? { ...view, proxyPasswordCleared } : view;
  }

  private async applyUpdate(manager: EntityManager, auth: AuthContext, proxy: SavedProxyEntity, dto: UpdateProxyDto) {
    const before = `${proxy.proxyType}|${proxy.host}|${proxy.port}|${proxy.username}|${proxy.passwordSealed}`;
    const endpointBefore = { type: proxy.proxyType, host: proxy.host, port: proxy.port };
    if (dto.name !== undefined) proxy.name = dto.name;
    if (dto.proxyType !== undefined) proxy.proxyType = dto.proxyType;
    if (dto.host !== undefined) proxy.host = dto.host;
    if (dto.port !== undefined) proxy.port = dto.port;
    if (dto.proxyUserName !== undefined) proxy.username = dto.proxyUserName;
    if (dto.proxyPassword !== undefined) proxy.passwordSealed = dto.proxyPassword ? this.box.seal(dto.proxyPassword) : null;
    if (dto.remark !== undefined) proxy.remark = dto.remark;
    const proxyPasswordCleared =
      proxy.passwordSealed !== null &&
      !keepsPassword(endpointBefore, { type: proxy.proxyType, host: proxy.host, port: proxy.port }, dto.proxyPassword !== undefined);
    if (proxyPasswordCleared) proxy.passwordSealed = null;
    if (before !== `${proxy.proxyType}|${proxy.host}|${proxy.port}|${proxy.username}|${proxy.passwordSealed}`) {
      Object.assign(proxy, {
        checkStatus: 'unchecked',
        checkIp: '',
        checkCountry: '',
        checkTimezone: '',
        checkMessage: '',
        checkedAt: null,
      });
    }
    await this.proxies.save(proxy, manager);
    await this.recordChange(manager, auth, 'proxy.changed', proxy, { passwordCleared: proxyPasswordCleared });
    return { proxy, proxyPasswordCleared };
  }

  /**
   * A proxy bound by any window, the recycle bin's included, stays until they let go of it. A
   * member limited to groups deletes only a proxy no window outside them binds.
   */
  async delete(auth: AuthContext, id: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      if (!(await this.proxies.lock(manager, auth.teamId, id))) throw new NotFoundError(`Proxy ${id} not found`);
      // Past this, every window using it is in the caller's scope: the count tells them nothing more.
      await this.assertAllUsesInScope(manager, auth, id);
      const n = await this.proxies.windowsUsing(manager, id);
      if (n > 0) throw new ConflictError(`Proxy ${id} is used by ${n} window${n === 1 ? '' : 's'}; bind them to another proxy first`);
      await this.proxies.delete(manager, id);
      await this.audit.record(manager, { teamId: auth.teamId, actorId: auth.userId, kind: 'proxy.deleted', data: { proxyId: id } });
    });
  }

  /**
   * A member limited to groups changes a saved proxy only while no window outside them binds it:
   * changing it would move those windows' traffic.
   */
  private async assertAllUsesInScope(manager: EntityManager, auth: AuthContext, id: number): Promise<void> {
    const groups = auth.scopedGroupIds;
    if (groups && (await this.proxies.usedOutside(manager, id, groups)))
      throw new ForbiddenError(`Proxy ${id} is used by windows outside your window scope`);
  }

  /** The trail keeps where a proxy points, never its password. */
  private recordChange(
    manager: EntityManager,
    auth: AuthContext,
    kind: 'proxy.added' | 'proxy.changed',
    proxy: SavedProxyEntity,
    extra = {},
  ) {
    return this.audit.record(manager, {
      teamId: auth.teamId,
      actorId: auth.userId,
      kind,
      data: { proxyId: proxy.id, name: proxy.name, proxyType: proxy.proxyType, host: proxy.host, port: proxy.port, ...extra },
    });
  }

  /**
   * Connects through the proxy from the cloud and asks the IP lookup service where the traffic
   * leaves. The check itself succeeding or failing is the answer (`ok`), and it is remembered.
   * A proxy on an address the cloud may not reach is refused (211) before any connection.
   */
  async check(auth: AuthContext, dto: CheckProxyDto) {
    const proxy = await this.find(auth, dto.id);
    const timeoutMs = this.config.env.PROXY_CHECK_TIMEOUT_MS;
    const started = performance.now();
    let result: { ok: true; ip: string; country: string; timezone: string } | { ok: false; reason: string; message: string };
    const route = await this.targets
      .pin(savedProxyEndpoint(proxy, this.box))
      .then((endpoint) => openProxyRoute(endpoint, { timeoutMs }))
      .catch((error: unknown) => {
        if (error instanceof InvalidParamError && !(error instanceof ProxyFailure)) throw error;
        return error as Error;
      });
    if (route instanceof Error) {
      result = this.failed(route);
    } else {
      try {
        const url = ipCheckUrl(dto.ipCheckService ?? '', this.config.env.IP_CHECK_URL);
        const target = new URL(url);
        await probeRoute(
          route,
          { host: target.hostname, port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)) },
          timeoutMs,
        );
        result = { ok: true, ...(await lookupExit(route, url, timeoutMs)) };
      } catch (error) {
        result = this.failed(error as Error);
      } finally {
        await route.close();
      }
    }
    const latencyMs = Math.round(performance.now() - started);
    const checkedAt = new Date();
    // Kept only while the proxy still points where it was checked: an edit or a delete meanwhile wins.
    await this.proxies.recordCheck(proxy, {
      checkStatus: result.ok ? 'ok' : 'failed',
      checkIp: result.ok ? result.ip : '',
      checkCountry: result.ok ? result.country : '',
      checkTimezone: result.ok ? result.timezone : '',
      checkMessage: result.ok ? '' : result.message.slice(0, 500),
      checkedAt,
    });
    return { id: proxy.id, ...result, latencyMs, checkedAt: checkedAt.toISOString() };
  }

  private failed(error: Error) {
    return { ok: false as const, reason: error instanceof ProxyFailure ? error.reason : 'unreachable', message: error.message };
  }

  private async find(auth: AuthContext, id: number): Promise<SavedProxyEntity> {
    const proxy = await this.proxies.find(auth.teamId, id);
    if (!proxy) throw new NotFoundError(`Proxy ${id} not found`);
    return proxy;
  }

  private view(proxy: SavedProxyEntity, windowCount: number) {
    return {
      id: proxy.id,
      name: proxy.name,
      proxyType: proxy.proxyType,
      host: proxy.host,
      port: proxy.port,
      proxyUserName: proxy.username,
      proxyPassword: '',
      hasProxyPassword: proxy.passwordSealed !== null,
      remark: proxy.remark,
      windowCount,
      lastCheck: {
        status: proxy.checkStatus,
        ip: proxy.checkIp,
        country: proxy.checkCountry,
        timezone: proxy.checkTimezone,
        message: proxy.checkMessage,
        checkedAt: proxy.checkedAt?.toISOString() ?? null,
      },
      createdAt: proxy.createdAt.toISOString(),
      updatedAt: proxy.updatedAt.toISOString(),
    };
  }
}
