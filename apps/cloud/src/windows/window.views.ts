import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
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

const GROUP_NAME = 'group_name';
const TAGS = 'tag_list';

@Injectable()
export class WindowViews {
  /**
   * Windows with their group name and tags in a single query; `narrow` adds the where clause.
   * A read costs one round trip, whatever the page size.
   */
  async load(manager: EntityManager, narrow: (query: SelectQueryBuilder<WindowEntity>) => SelectQueryBuilder<WindowEntity>): Promise<WindowResponse[]> {
    const query = narrow(
      manager
        .getRepository(WindowEntity)
        .createQueryBuilder('w')
        .leftJoin('groups', 'g', 'g.id = w.group_id')
        .addSelect('g.name', GROUP_NAME)
        .addSelect(
          `coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name, t.id)
                     FROM window_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.window_id = w.id), '[]')`,
          TAGS,
        ),
    );
    const { entities, raw } = await query.getRawAndEntities<{ w_id: number; group_name: string | null; tag_list: WindowTag[] }>();
    const extras = new Map(raw.map((r) => [r.w_id, r]));
    return entities.map((w) => toWindowResponse(w, extras.get(w.id)?.[GROUP_NAME] ?? '', extras.get(w.id)?.[TAGS] ?? []));
  }

  async one(manager: EntityManager, window: WindowEntity): Promise<WindowResponse> {
    const [view] = await this.load(manager, (q) => q.where('w.id = :id', { id: window.id }));
    return view;
  }
}
