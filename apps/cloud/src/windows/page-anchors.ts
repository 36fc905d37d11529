import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { VersionedCache } from './versioned-cache';
import { WindowEntity } from './window.entity';

/** One anchor per this many rows: a deep page skips fewer than this many index entries. */
export const ANCHOR_EVERY = 1000;
const LISTS_MAX = 1000;

/** Whether a page at `offset` starts from an anchor (else from an end of the index). */
export const usesAnchor = (offset: number, fromFarEnd: number) => offset >= ANCHOR_EVERY && fromFarEnd >= offset % ANCHOR_EVERY;

/** The anchor at or before `offset` and how many rows lie between them; null when the list is short. */
export function anchorFor(anchors: Anchor[], offset: number): { anchor: Anchor; skip: number } | null {
  const index = Math.floor(offset / ANCHOR_EVERY);
  const anchor = anchors[index];
  return anchor ? { anchor, skip: offset - index * ANCHOR_EVERY } : null;
}

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

  /** The anchors of a list kept at `version`, or undefined: nothing is read. */
  kept(teamId: number, key: string, version: string): Anchor[] | undefined {
    return this.lists.get(`${teamId}:${key}`, version);
  }

  /** The anchors of a list at `version`, read (with the version they were read at) when not kept. */
  async list(
    teamId: number,
    key: string,
    version: string,
    filtered: SelectQueryBuilder<WindowEntity>,
    orderColumn: string,
  ): Promise<Anchor[]> {
    const kept = this.kept(teamId, key, version);
    if (kept) return kept;
    const built = await this.build(teamId, filtered, orderColumn);
    this.lists.set(`${teamId}:${key}`, built.version, built.anchors);
    return built.anchors;
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
