import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WindowResponse, WindowTag } from '@cos/contracts';
import { WindowEntity } from './window.entity';

/** Entity → answer. Secrets stop here: the proxy password is never part of a window view. */
export function toWindowResponse(w: WindowEntity, groupName: string, tags: WindowTag[]): WindowResponse {
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
    openStatus: w.openStatus,
    openDeviceId: w.openDeviceId,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    createdBy: w.createdBy,
    deletedAt: w.deletedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class WindowViews {
  /** Views for a page of windows: group names and tags in two queries, whatever the page size. */
  async build(manager: EntityManager, windows: WindowEntity[]): Promise<WindowResponse[]> {
    if (windows.length === 0) return [];
    const groupIds = [...new Set(windows.map((w) => w.groupId).filter((id): id is number => id !== null))];
    const [groups, tags] = await Promise.all([
      groupIds.length
        ? (manager.query(`SELECT id, name FROM groups WHERE id = ANY($1)`, [groupIds]) as Promise<{ id: number; name: string }[]>)
        : Promise.resolve([]),
      manager.query(
        `SELECT wt.window_id, t.id, t.name FROM window_tags wt JOIN tags t ON t.id = wt.tag_id
         WHERE wt.window_id = ANY($1) ORDER BY t.name, t.id`,
        [windows.map((w) => w.id)],
      ) as Promise<{ window_id: number; id: number; name: string }[]>,
    ]);
    const groupName = new Map(groups.map((g) => [g.id, g.name]));
    const tagsOf = new Map<number, WindowTag[]>();
    for (const t of tags) tagsOf.set(t.window_id, [...(tagsOf.get(t.window_id) ?? []), { id: t.id, name: t.name }]);
    return windows.map((w) => toWindowResponse(w, w.groupId ? (groupName.get(w.groupId) ?? '') : '', tagsOf.get(w.id) ?? []));
  }

  async one(manager: EntityManager, window: WindowEntity): Promise<WindowResponse> {
    const [view] = await this.build(manager, [window]);
    return view;
  }
}
