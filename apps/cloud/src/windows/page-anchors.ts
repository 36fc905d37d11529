import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { VersionedCache } from './versioned-cache';
import { WindowEntity } from './window.entity';

/** One anchor per this many rows: a deep page skips fewer than this many index entries. */
export const ANCHOR_EVERY = 1000;
const LISTS_MAX = 1000;

export interface Anchor {
  /** The ordering column's value as PostgreSQL prints it: microseconds kept. */
  at: string;
  id: number;
}

/**
 * Where deep pages start. For a list (team, bin, group, scope) it keeps the ordering key of
 * every ANCHOR_EVERY-th row, read with the team's list version in one statement and used while
 * that version holds (it moves with every insert, delete, move between bin, group or creation
 * time), so page N starts at the anchor before it instead of skipping N × pageSize entries.
 */
@Injectable()
export class PageAnchors {
  private readonly lists = new VersionedCache<Anchor[]>(LISTS_MAX);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The anchor at or before `offset` and how many rows lie between them; null when the list is short. */
  async at(
    teamId: number,
    key: string,
    version: string,
    offset: number,
    filtered: SelectQueryBuilder<WindowEntity>,
    orderColumn: string,
  ): Promise<{ anchor: Anchor; skip: number } | null> {
    if (offset < ANCHOR_EVERY) return null;
    const cacheKey = `${teamId}:${key}`;
    let anchors = this.lists.get(cacheKey, version);
    if (!anchors) {
      const built = await this.build(teamId, filtered, orderColumn);
      this.lists.set(cacheKey, built.version, built.anchors);
      anchors = built.anchors;
    }
    const index = Math.floor(offset / ANCHOR_EVERY);
    const anchor = anchors[index];
    return anchor ? { anchor, skip: offset - index * ANCHOR_EVERY } : null;
  }

  private async build(teamId: number, filtered: SelectQueryBuilder<WindowEntity>, orderColumn: string) {
    const [inner, params] = filtered
      .clone()
      .select(`${orderColumn}::text`, 'at')
      .addSelect('w.id', 'id')
      .addSelect(`row_number() OVER (ORDER BY ${orderColumn} DESC, w.id DESC)`, 'n')
      .getQueryAndParameters();
    const rows: { at: string; id: number; version: string | null }[] = await this.db.query(
      `SELECT t.at, t.id, (SELECT v.version::text FROM window_list_versions v WHERE v.team_id = $${params.length + 1}) AS version
       FROM (${inner}) t WHERE (t.n - 1) % ${ANCHOR_EVERY} = 0 ORDER BY t.n`,
      [...(params as unknown[]), teamId],
    );
    // Labelled with the version this statement saw: anchors and label share one snapshot.
    return { version: rows[0]?.version ?? '0', anchors: rows.map((r) => ({ at: r.at, id: r.id })) };
  }
}
