import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { WindowResponse, WindowTag } from '@cos/contracts';
import { WindowEntity } from './window.entity';

export function isHeld(w: Pick<WindowEntity, 'openStatus' | 'openLeaseUntil'>, now = new Date()): boolean {
  return w.openStatus !== 'closed' && w.openLeaseUntil !== null && w.openLeaseUntil > now;
}

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
    // A lease that ran out (agent gone) reads as closed, whatever was last reported.
    ...(isHeld(w) ? { openStatus: w.openStatus, openDeviceId: w.openDeviceId } : { openStatus: 'closed' as const, openDeviceId: null }),
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    createdBy: w.createdBy,
    deletedAt: w.deletedAt?.toISOString() ?? null,
  };
}

const PAGE_FROM = (ids: string) => `unnest(ARRAY(${ids})) WITH ORDINALITY AS p(id, n) JOIN windows w ON w.id = p.id`;

interface ViewRow extends Record<string, unknown> {
  group_name: string | null;
  tag_list: WindowTag[];
}

@Injectable()
export class WindowViews {
  private readonly columns: ColumnMetadata[];
  private readonly selectList: string;

  constructor(@InjectDataSource() db: DataSource) {
    // Every selectable column (so not the cookies), listed once: the statement stays short.
    this.columns = db.getMetadata(WindowEntity).columns.filter((c) => c.isSelect);
    this.selectList = this.columns.map((c) => `w.${c.databaseName}`).join(', ');
  }

  /**
   * The statement that reads windows with their group name and tags in one round trip, whatever
   * their number: `from` names `windows w` (joined to whatever else), `where` is a condition with
   * `$n` parameters, `extra` more selected columns.
   */
  statement(from: string, where: string, extra = '', orderBy = ''): string {
    return `SELECT ${extra ? `${extra}, ` : ''}${this.selectList}, g.name AS group_name,
              coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name, t.id)
                        FROM window_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.window_id = w.id), '[]') AS tag_list
       FROM ${from} LEFT JOIN groups g ON g.id = w.group_id
       WHERE ${where}${orderBy ? ` ORDER BY ${orderBy}` : ''}`;
  }

  /**
   * The windows whose ids `ids` selects (a statement answering one `id` column), in its order:
   * a page and its rows in one statement.
   */
  pageStatement(ids: string): string {
    return this.statement(PAGE_FROM(ids), 'true', '', 'p.n');
  }

  /**
   * As `pageStatement`, beside the one row `beside` answers (a total, a version): its columns come
   * first in every row, and a page with no windows still answers one row.
   */
  pageBesideStatement(ids: string, beside: string): string {
    return `WITH c AS (${beside})
       SELECT c.*, v.* FROM c LEFT JOIN (${this.statement(PAGE_FROM(ids), 'true', 'p.n AS page_n')}) v ON true ORDER BY v.page_n`;
  }

  /** The windows of a `pageBesideStatement`'s rows. */
  pageOf(rows: Record<string, unknown>[]): WindowResponse[] {
    return rows.filter((row) => row.page_n !== null).map((row) => this.fromRow(row));
  }

  async loadInOrder(manager: EntityManager, ids: [sql: string, params: unknown[]]): Promise<WindowResponse[]> {
    const rows: ViewRow[] = await manager.query(this.pageStatement(ids[0]), ids[1]);
    return rows.map((row) => this.fromRow(row));
  }

  /** As `loadInOrder`, with the team's list version read in the same statement (so of the same snapshot). */
  async loadInOrderAtVersion(
    manager: EntityManager,
    ids: [sql: string, params: unknown[]],
    teamId: number,
  ): Promise<{ list: WindowResponse[]; version: string }> {
    const rows: (ViewRow & { version: string })[] = await manager.query(
      this.pageBesideStatement(
        ids[0],
        `SELECT coalesce(max(v.version), 0)::text AS version FROM window_list_versions v WHERE v.team_id = $${ids[1].length + 1}`,
      ),
      [...ids[1], teamId],
    );
    return { list: this.pageOf(rows), version: rows[0].version };
  }

  /** Windows matching `where`, a condition on `w` with `$n` parameters. */
  async load(manager: EntityManager, where: string, params: unknown[]): Promise<WindowResponse[]> {
    const rows: ViewRow[] = await manager.query(this.statement('windows w', where), params);
    return rows.map((row) => this.fromRow(row));
  }

  /** A row of `statement` as the answer. */
  fromRow(row: Record<string, unknown>): WindowResponse {
    const view = row as ViewRow;
    return toWindowResponse(this.toEntity(view), view.group_name ?? '', view.tag_list);
  }

  async one(manager: EntityManager, window: WindowEntity): Promise<WindowResponse> {
    const [view] = await this.load(manager, 'w.id = $1', [window.id]);
    return view;
  }

  private toEntity(row: ViewRow): WindowEntity {
    const entity = new WindowEntity();
    for (const column of this.columns) (entity as unknown as Record<string, unknown>)[column.propertyName] = row[column.databaseName];
    return entity;
  }
}
