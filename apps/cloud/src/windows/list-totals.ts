import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { VersionedCache } from './versioned-cache';
import { WindowEntity } from './window.entity';

const ENTRIES_MAX = 10_000;

/**
 * Exact totals of filtered window lists without counting every time. A total is counted
 * together with the team's list version (`window_list_versions`, moved by triggers in the same
 * transaction as any change to what lists filter on), in one statement; it is answered again
 * while the team's version is the same. Every instance keeps its own totals and checks the
 * version in the database, so what one instance changes no other can answer stale.
 */
@Injectable()
export class ListTotals {
  private readonly totals = new VersionedCache<number>(ENTRIES_MAX);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The total of `filtered`, from the last count when `version` is still the one it was counted at. */
  async total(teamId: number, key: string, version: string, filtered: SelectQueryBuilder<WindowEntity>): Promise<number> {
    const cacheKey = `${teamId}:${key}`;
    const known = this.totals.get(cacheKey, version);
    if (known !== undefined) return known;
    const counted = await filtered
      .clone()
      .select('count(*)::int', 'total')
      .addSelect(`(SELECT coalesce(max(v.version), 0)::text FROM window_list_versions v WHERE v.team_id = :listTeam)`, 'version')
      .setParameter('listTeam', teamId)
      .getRawOne<{ total: number; version: string }>();
    const total = counted?.total ?? 0;
    // Labelled with the version its own statement saw: the count and the label share one snapshot.
    this.totals.set(cacheKey, counted?.version ?? '0', total);
    return total;
  }
}
