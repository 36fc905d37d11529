import { Injectable } from '@nestjs/common';
import { WindowResponse } from '@cos/contracts';
import { answerOf } from './window.views';
import { WindowStore } from './window-store';

/** One live window of a team, by id, by uuid, or by both (which must then name the same window). */
export interface TeamWindowRef {
  teamId: number;
  id?: number;
  uuid?: string;
}

interface Pending {
  ref: TeamWindowRef;
  resolve: (view: WindowResponse | undefined) => void;
  reject: (error: unknown) => void;
}

/** At most this many lookups share one statement; more wait for the next. */
export const DETAIL_BATCH_MAX = 200;

/**
 * Single-window reads, coalesced: every lookup asked for in one turn of the event loop goes to
 * PostgreSQL as one prepared statement, and each caller gets its own row back. Under load a
 * round trip (and its planning) serves many requests; alone, a lookup waits for nothing but the
 * end of the current turn. Each statement runs after its callers asked, so nobody reads older
 * data than a query of their own would have.
 */
@Injectable()
export class WindowDetails {
  private pending: Pending[] = [];

  constructor(private readonly store: WindowStore) {}

  /** The live window `ref` names, or undefined. */
  get(ref: TeamWindowRef): Promise<WindowResponse | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ ref, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, DETAIL_BATCH_MAX);
    if (this.pending.length > 0) setImmediate(() => void this.flush());
    try {
      const answers = (await this.store.details(batch.map((p) => p.ref))).map((view) => view && answerOf(view));
      batch.forEach((p, i) => p.resolve(answers[i]));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
