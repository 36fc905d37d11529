import { Injectable } from '@nestjs/common';
import { VersionedCache } from './versioned-cache';
import { Anchor, WindowFilter, WindowStore } from './window-store';

export type { Anchor } from './window-store';

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

/**
 * Where deep pages start. For a list (team, bin, group, scope) it keeps the ordering key of
 * every ANCHOR_EVERY-th row, read with the team's list version in one statement and used while
 * that version holds (it moves with every insert, delete, move between bin, group or creation
 * time), so page N starts at the anchor before it instead of skipping N × pageSize entries.
 */
@Injectable()
export class PageAnchors {
  private readonly lists = new VersionedCache<Anchor[]>(LISTS_MAX);

  constructor(private readonly store: WindowStore) {}

  /** The anchors of a list kept at `version`, or undefined: nothing is read. */
  kept(teamId: number, key: string, version: string): Anchor[] | undefined {
    return this.lists.get(`${teamId}:${key}`, version);
  }

  /** The anchors of a list at `version`, read (with the version they were read at) when not kept. */
  async list(key: string, version: string, filter: WindowFilter): Promise<Anchor[]> {
    const kept = this.kept(filter.teamId, key, version);
    if (kept) return kept;
    // Labelled with the version their own statement saw: anchors and label share one snapshot.
    const built = await this.store.anchors(filter, ANCHOR_EVERY);
    this.lists.set(`${filter.teamId}:${key}`, built.version, built.anchors);
    return built.anchors;
  }
}
