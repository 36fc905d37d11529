import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import type { SavedProxyType } from '@cos/contracts';
import { escapeLike } from '../common/sql';
import { SavedProxyEntity } from './saved-proxy.entity';

/** One endpoint as `endpointsTaken` keys it: type, host (its case aside), port and user. */
export function endpointKey(e: { proxyType: string; host: string; port: number; proxyUserName?: string }): string {
  return `${e.proxyType}|${e.host.toLowerCase()}|${e.port}|${e.proxyUserName ?? ''}`;
}

/** Which saved proxies a list shows. */
export interface ProxyFilter {
  teamId: number;
  keyword?: string;
  proxyType?: SavedProxyType;
  offset: number;
  take: number;
}

/**
 * Reads and writes of `proxies` (the team's saved proxies). Saved proxies sit below windows, so
 * the two reads of `windows` a proxy needs (how many windows bind it) are here rather than in the
 * `WindowStore`. Methods that take an `EntityManager` run in the caller's transaction and take the
 * locks they say; the others run on their own.
 */
@Injectable()
export class ProxyStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A page of the team's proxies, newest first, with their total. */
  page(filter: ProxyFilter): Promise<[SavedProxyEntity[], number]> {
    const query = this.db
      .getRepository(SavedProxyEntity)
      .createQueryBuilder('p')
      .where('p.team_id = :teamId', { teamId: filter.teamId })
      .orderBy('p.id', 'DESC')
      .offset(filter.offset)
      .limit(filter.take);
    if (filter.keyword) {
      query.andWhere('(p.name ILIKE :kw OR p.host ILIKE :kw OR p.remark ILIKE :kw)', { kw: `%${escapeLike(filter.keyword)}%` });
    }
    if (filter.proxyType) query.andWhere('p.proxy_type = :type', { type: filter.proxyType });
    return query.getManyAndCount();
  }

  /**
   * How many of the team's windows (the recycle bin's included) bind each proxy named, counting
   * only windows in `groups` when it is set; unbound ones are left out.
   */
  async windowCounts(teamId: number, ids: number[], groups: readonly number[] | null = null): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows: { proxy_id: number; n: number }[] = await this.db.query(
      `SELECT proxy_id, count(*)::int AS n FROM windows
       WHERE team_id = $1 AND proxy_id = ANY($2) AND ($3::int[] IS NULL OR group_id = ANY($3))
       GROUP BY proxy_id`,
      [teamId, ids, groups],
    );
    return new Map(rows.map((r) => [r.proxy_id, r.n]));
  }

  /** Whether a window (the recycle bin's included) outside `groups` binds the proxy; an ungrouped one is outside. */
  async usedOutside(manager: EntityManager, id: number, groups: readonly number[]): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM windows WHERE proxy_id = $1 AND (group_id IS NULL OR group_id <> ALL($2::int[])) LIMIT 1`,
      [id, groups],
    );
    return rows.length > 0;
  }

  /** The team's proxy, read on its own, or in the caller's transaction when `manager` is given. */
  find(teamId: number, id: number, manager: EntityManager = this.db.manager): Promise<SavedProxyEntity | null> {
    return manager.getRepository(SavedProxyEntity).findOneBy({ id, teamId });
  }

  /** The team's proxy, its row locked until the caller's transaction ends (an edit reads what it changes under the lock). */
  findLocked(manager: EntityManager, teamId: number, id: number): Promise<SavedProxyEntity | null> {
    return manager.getRepository(SavedProxyEntity).findOne({ where: { id, teamId }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Remembers a check's outcome on the proxy, only while it still points where it was checked (type,
   * host, port, user and password as `checked` holds them): a check that ends after an edit or a
   * delete writes nothing, and only the check's own columns are written.
   */
  async recordCheck(
    checked: SavedProxyEntity,
    outcome: Pick<SavedProxyEntity, 'checkStatus' | 'checkIp' | 'checkCountry' | 'checkTimezone' | 'checkMessage' | 'checkedAt'>,
  ): Promise<void> {
    await this.db.query(
      `UPDATE proxies SET check_status = $1, check_ip = $2, check_country = $3, check_timezone = $4, check_message = $5, checked_at = $6
       WHERE id = $7 AND team_id = $8 AND proxy_type = $9 AND host = $10 AND port = $11 AND username = $12
         AND password_enc IS NOT DISTINCT FROM $13`,
      [
        outcome.checkStatus,
        outcome.checkIp,
        outcome.checkCountry,
        outcome.checkTimezone,
        outcome.checkMessage,
        outcome.checkedAt,
        checked.id,
        checked.teamId,
        checked.proxyType,
        checked.host,
        checked.port,
        checked.username,
        checked.passwordSealed,
      ],
    );
  }

  /**
   * Of these endpoints (type, host, port and user; the host's case aside), those a saved proxy of
   * the team already points at, by `endpointKey`, with that proxy's name.
   */
  async endpointsTaken(
    manager: EntityManager,
    teamId: number,
    endpoints: readonly { proxyType: string; host: string; port: number; proxyUserName?: string }[],
  ): Promise<Map<string, string>> {
    if (endpoints.length === 0) return new Map();
    const rows: { name: string; proxy_type: string; host: string; port: number; username: string }[] = await manager.query(
      `SELECT p.name, p.proxy_type, p.host, p.port, p.username FROM proxies p
       JOIN unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS e(type, host, port, username)
         ON p.proxy_type = e.type AND lower(p.host) = lower(e.host) AND p.port = e.port AND p.username = e.username
       WHERE p.team_id = $1 ORDER BY p.id`,
      [
        teamId,
        endpoints.map((e) => e.proxyType),
        endpoints.map((e) => e.host),
        endpoints.map((e) => e.port),
        endpoints.map((e) => e.proxyUserName ?? ''),
      ],
    );
    const taken = new Map<string, string>();
    for (const r of rows) {
      const key = endpointKey({ proxyType: r.proxy_type, host: r.host, port: r.port, proxyUserName: r.username });
      if (!taken.has(key)) taken.set(key, r.name);
    }
    return taken;
  }

  /** Of these names, those the team's saved proxies already have. */
  async namesTaken(manager: EntityManager, teamId: number, names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows: { name: string }[] = await manager.query(`SELECT name FROM proxies WHERE team_id = $1 AND name = ANY($2::text[])`, [
      teamId,
      names,
    ]);
    return new Set(rows.map((r) => r.name));
  }

  /**
   * Whether the team has the proxy; its row stays key-share locked until the transaction ends, so
   * a delete (which locks it, then counts the windows bound to it) waits for the window being bound
   * and then counts it, instead of deleting the proxy under it (the window's foreign key would fail).
   */
  async holdExisting(manager: EntityManager, teamId: number, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT id FROM proxies WHERE id = $1 AND team_id = $2 FOR KEY SHARE`, [id, teamId]);
    return rows.length > 0;
  }

  insert(manager: EntityManager, fields: DeepPartial<SavedProxyEntity>): Promise<SavedProxyEntity> {
    return manager.save(manager.create(SavedProxyEntity, fields));
  }

  /** Writes a proxy loaded with `find` back, as changed: in the caller's transaction when `manager` is given. */
  save(proxy: SavedProxyEntity, manager: EntityManager = this.db.manager): Promise<SavedProxyEntity> {
    return manager.getRepository(SavedProxyEntity).save(proxy);
  }

  /** Whether the team has the proxy; its row stays locked until the transaction ends. */
  async lock(manager: EntityManager, teamId: number, id: number): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT id FROM proxies WHERE id = $1 AND team_id = $2 FOR UPDATE`, [id, teamId]);
    return rows.length > 0;
  }

  /** How many windows, the recycle bin's included, bind the proxy. */
  async windowsUsing(manager: EntityManager, id: number): Promise<number> {
    const [{ n }]: { n: number }[] = await manager.query(`SELECT count(*)::int AS n FROM windows WHERE proxy_id = $1`, [id]);
    return n;
  }

  async delete(manager: EntityManager, id: number): Promise<void> {
    await manager.query(`DELETE FROM proxies WHERE id = $1`, [id]);
  }
}
