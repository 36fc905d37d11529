import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WindowResponse, WindowTag } from '@cos/contracts';
import { WindowEntity } from './window.entity';
import { WindowStore, WindowView } from './window-store';

export function isHeld(w: Pick<WindowEntity, 'openStatus' | 'openLeaseUntil'>, now = new Date()): boolean {
  return w.openStatus !== 'closed' && w.openLeaseUntil !== null && w.openLeaseUntil > now;
}

/** Entity → answer. Secrets stop here: the proxy password is never part of a window view. */
export function toWindowResponse(w: WindowEntity, groupName: string, tags: WindowTag[], cookieCount: number): WindowResponse {
  return {
    id: w.id,
    browserId: w.id,
    uuid: w.uuid,
    seq: w.seq,
    name: w.name,
    groupId: w.groupId ?? 0,
    groupName,
    tagIds: tags.map((t) => t.id),
    tags,
    remark: w.remark,
    browserFingerPrint: w.fingerprint,
    config: w.config,
    proxyMethod: w.proxyMethod,
    proxyType: w.proxyType,
    host: w.proxyHost,
    port: w.proxyPort,
    proxyUserName: w.proxyUsername,
    proxyPassword: '',
    hasProxyPassword: w.proxyPasswordSealed !== null,
    dynamicIpUrl: w.dynamicIpUrl,
    dynamicIpChannel: w.dynamicIpChannel,
    isDynamicIpChangeIp: w.isDynamicIpChangeIp,
    refreshProxyUrl: w.refreshProxyUrl,
    ipCheckService: w.ipCheckService,
    enableSocks5Udp: w.enableSocks5Udp,
    proxyId: w.proxyId,
    // A lease that ran out (agent gone) reads as closed, whatever was last reported.
    ...(isHeld(w) ? { openStatus: w.openStatus, openDeviceId: w.openDeviceId } : { openStatus: 'closed' as const, openDeviceId: null }),
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    createdBy: w.createdBy,
    deletedAt: w.deletedAt?.toISOString() ?? null,
    cookieCount,
  };
}

/** A stored window as the API answers it. */
export function answerOf(view: WindowView): WindowResponse {
  return toWindowResponse(view.window, view.groupName, view.tags, view.cookieCount);
}

/** Window answers for flows outside this folder. */
@Injectable()
export class WindowViews {
  constructor(private readonly store: WindowStore) {}

  /** The window as the API answers it, read in `manager`'s transaction (so with its own changes). */
  async one(manager: EntityManager, window: WindowEntity): Promise<WindowResponse> {
    return answerOf(await this.store.view(manager, window.id));
  }
}
