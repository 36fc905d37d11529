import { Injectable } from '@nestjs/common';
import { WindowResponse } from '@cos/contracts';
import { Anchor, anchorFor, PageAnchors, usesAnchor } from './page-anchors';
import { answerOf } from './window.views';
import { Counted, IndexPlan as Plan, WindowFilter, WindowStore, WindowView } from './window-store';

const SEEN_MAX = 10_000;

/**
 * Pages of lists filtered by team, scope and group only, whose total the trigger-kept counters
 * give. A page is planned from the total (a page past the middle is read from the far end of the
 * index, a deep page from the kept anchor before it), so the total and the list version are read
 * first — unless this instance saw the list at some version already: then the page is read as
 * planned then, in the same statement as the total and the version, and answered when that
 * version still holds. One round trip per page while a team's windows stay as they are.
 */
@Injectable()
export class ListPages {
  /** The last total and version seen of each list. */
  private readonly seen = new Map<string, Counted>();

  constructor(
    private readonly store: WindowStore,
    private readonly anchors: PageAnchors,
  ) {}

  /** A page of the list `filter` selects (by team, bin, scope and group only) and its total. */
  async page(filter: WindowFilter, offset: number, pageSize: number): Promise<{ list: WindowResponse[]; total: number }> {
    const key = JSON.stringify([filter.bin, filter.scopedGroupIds ?? null, filter.groupId ?? null]);
    const seenKey = `${filter.teamId}:${key}`;
    const seen = this.seen.get(seenKey);
    // The first page needs no plan; a later one is planned as the list last stood.
    const guess =
      offset === 0 ? firstPage(pageSize) : seen && this.plan(seen, this.anchors.kept(filter.teamId, key, seen.version), offset, pageSize);
    if (guess !== undefined) {
      const { list, counted } = await this.store.indexPageCounted(filter, guess);
      this.remember(seenKey, counted);
      if (offset === 0 || counted.version === seen?.version)
        return { list: guess ? this.inListOrder(guess, list) : [], total: counted.total };
      return { list: await this.readPlanned(filter, key, counted, offset, pageSize), total: counted.total };
    }
    const counted = await this.store.counted(filter);
    this.remember(seenKey, counted);
    return { list: await this.readPlanned(filter, key, counted, offset, pageSize), total: counted.total };
  }

  private async readPlanned(
    filter: WindowFilter,
    key: string,
    counted: Counted,
    offset: number,
    pageSize: number,
  ): Promise<WindowResponse[]> {
    let plan = this.plan(counted, [], offset, pageSize);
    if (plan === undefined) {
      const anchors = await this.anchors.list(key, counted.version, filter);
      plan = this.plan(counted, anchors, offset, pageSize)!;
    }
    return plan === null ? [] : this.inListOrder(plan, await this.store.indexPage(filter, plan));
  }

  /**
   * How to read the page at `offset` of a list of `total` rows: null when it is past the end,
   * undefined when it needs anchors that are not given.
   */
  private plan(counted: Counted, anchors: Anchor[] | undefined, offset: number, pageSize: number): Plan | null | undefined {
    const { total } = counted;
    if (offset >= total) return null;
    const take = Math.min(pageSize, total - offset);
    // From the far end of the index the last pages skip fewer entries than from any anchor.
    const fromFarEnd = total - offset - take;
    if (usesAnchor(offset, fromFarEnd)) {
      if (anchors === undefined) return undefined;
      const start = anchorFor(anchors, offset);
      if (start) return { direction: 'DESC', skip: start.skip, take: pageSize, from: start.anchor };
      if (anchors.length === 0) return undefined;
    }
    return offset * 2 <= total ? { direction: 'DESC', skip: offset, take: pageSize } : { direction: 'ASC', skip: fromFarEnd, take };
  }

  /** The page's answers in the list's order: a page read from the far end comes reversed. */
  private inListOrder(plan: Plan, views: WindowView[]): WindowResponse[] {
    const list = views.map(answerOf);
    return plan.direction === 'ASC' ? list.reverse() : list;
  }

  private remember(key: string, counted: Counted): void {
    this.seen.delete(key);
    if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, counted);
  }
}

const firstPage = (pageSize: number): Plan => ({ direction: 'DESC', skip: 0, take: pageSize });
