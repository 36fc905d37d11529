import { Injectable } from '@nestjs/common';
import { VersionedCache } from './versioned-cache';
import { WindowFilter, WindowStore } from './window-store';

const ENTRIES_MAX = 10_000;

/** The same list, however its filters were written (tags in any order). */
const keyOf = (f: WindowFilter) =>
  JSON.stringify([
    f.bin,
    f.scopedGroupIds ?? null,
    f.groupId ?? null,
    f.keyword ?? '',
    f.name ?? '',
    f.remark ?? '',
    [...(f.tagIds ?? [])].sort((a, b) => a - b),
  ]);

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

  constructor(private readonly store: WindowStore) {}

  /** The total of the list `filter` selects, from the last count when `version` is still the one it was counted at. */
  async total(filter: WindowFilter, version: string): Promise<number> {
    const cacheKey = `${filter.teamId}:${keyOf(filter)}`;
    const known = this.totals.get(cacheKey, version);
    if (known !== undefined) return known;
    const counted = await this.store.filteredCountAtVersion(filter);
    // Labelled with the version its own statement saw: the count and the label share one snapshot.
    this.totals.set(cacheKey, counted.version, counted.total);
    return counted.total;
  }
}
