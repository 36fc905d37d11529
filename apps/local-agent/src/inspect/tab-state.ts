/** A bounded log: the newest `max` entries, each numbered, with a count of those pushed out. */
export class Ring<T extends object> {
  private entries: (T & { seq: number })[] = [];
  private nextSeq = 1;
  dropped = 0;

  constructor(private readonly max: number) {}

  push(entry: T): T & { seq: number } {
    const numbered = Object.assign(entry, { seq: this.nextSeq++ });
    this.entries.push(numbered);
    if (this.entries.length > this.max) {
      this.entries.shift();
      this.dropped++;
    }
    return numbered;
  }

  /** Entries after `seq` (all when 0), oldest first, at most `limit` of the newest. */
  after(seq: number, limit: number): (T & { seq: number })[] {
    const newer = this.entries.filter((e) => e.seq > seq);
    return newer.slice(Math.max(0, newer.length - limit));
  }

  all(): readonly (T & { seq: number })[] {
    return this.entries;
  }

  clear(): number {
    const cleared = this.entries.length;
    this.entries = [];
    this.dropped = 0;
    return cleared;
  }
}

export interface ConsoleEntry {
  level: string;
  text: string;
  at: number;
  source: string | null;
}

export interface ErrorEntry {
  text: string;
  at: number;
  stack: string | null;
}

export interface NetworkEntry {
  requestId: string;
  url: string;
  method: string;
  /** What the request is for, as Firefox tells it (document, script, image, fetch, …). */
  type: string | null;
  startedAt: number;
  status: number | null;
  statusText: string | null;
  mimeType: string | null;
  /** From the request's start to its response's end. */
  ms: number | null;
  bytes: number | null;
  fromCache: boolean;
  error: string | null;
  redirectCount: number;
}

export interface DialogEntry {
  type: string;
  message: string;
  defaultValue: string | null;
  openedAt: number;
  /** How it was answered: by the policy, by an explicit call, or by the page or another client. */
  handledBy: 'policy' | 'call' | 'other' | null;
  accepted: boolean | null;
  closedAt: number | null;
}

export const LOG_KINDS = ['console', 'errors', 'network', 'dialogs'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

/** Text kept per log entry; the rest is cut. */
export const ENTRY_TEXT_MAX = 4_000;
export const ENTRY_URL_MAX = 2_048;

export const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * What the agent keeps about one tab while its window runs: the logs, the refs its snapshots
 * handed out (per frame), the last snapshot (for delta answers), a dialog left open for an explicit
 * answer, and the navigation under way. Calls that act on the tab run one at a time.
 */
export class TabState {
  readonly console: Ring<ConsoleEntry>;
  readonly errors: Ring<ErrorEntry>;
  readonly network: Ring<NetworkEntry>;
  readonly dialogs: Ring<DialogEntry>;
  /** Requests by `id:redirectCount`, for their responses; bounded with the network log. */
  readonly requests = new Map<string, NetworkEntry>();
  /** Frame context → its number in refs (`f2e7`); the tab itself is 0. */
  readonly frameNumbers = new Map<string, number>();
  readonly frameContexts = new Map<number, string>();
  /** A frame's iframe element in its parent frame, as the last snapshot found it: for coordinates. */
  readonly frameOwners = new Map<string, { parent: string; ref: string }>();
  private nextFrame = 1;
  nextRef = 1;
  lastSnapshot: { url: string; lines: string[] } | null = null;
  openDialog: DialogEntry | null = null;
  url = 'about:blank';
  private navigation: { id: string | null; done: Promise<void>; finish: () => void } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private dialogWaiters: (() => void)[] = [];

  constructor(
    readonly context: string,
    logMax: number,
  ) {
    this.console = new Ring(logMax);
    this.errors = new Ring(logMax);
    this.network = new Ring(logMax);
    this.dialogs = new Ring(logMax);
    this.frameNumbers.set(context, 0);
    this.frameContexts.set(0, context);
  }

  log(kind: LogKind): Ring<object> {
    return this[kind];
  }

  frameNumber(context: string): number {
    let number = this.frameNumbers.get(context);
    if (number === undefined) {
      number = this.nextFrame++;
      this.frameNumbers.set(context, number);
      this.frameContexts.set(number, context);
    }
    return number;
  }

  forgetFrame(context: string): void {
    const number = this.frameNumbers.get(context);
    if (number === undefined || number === 0) return;
    this.frameNumbers.delete(context);
    this.frameContexts.delete(number);
    this.frameOwners.delete(context);
  }

  addRequest(key: string, entry: NetworkEntry): void {
    this.network.push(entry);
    this.requests.set(key, entry);
    // The map follows the log: a request the log no longer holds is not updated either.
    if (this.requests.size > this.network.all().length) {
      const oldest = this.requests.keys().next().value;
      if (oldest !== undefined) this.requests.delete(oldest);
    }
  }

  navigationStarted(id: string | null): void {
    this.navigation?.finish();
    let finish = () => undefined as void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.navigation = { id, done, finish };
  }

  /** The navigation `id` (any, when null) reached its document or ended otherwise. */
  navigationEnded(id: string | null): void {
    if (!this.navigation || (id !== null && this.navigation.id !== null && this.navigation.id !== id)) return;
    this.navigation.finish();
    this.navigation = null;
  }

  /** Waits, at most `ms`, for a navigation under way to reach its document. */
  async settled(ms: number): Promise<void> {
    const pending = this.navigation?.done;
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Resolves when a dialog is left open on the tab (an action that opened one would otherwise wait for its answer). */
  dialogLeftOpen(): Promise<void> {
    return new Promise((resolve) => this.dialogWaiters.push(resolve));
  }

  dialogOpened(dialog: DialogEntry): void {
    this.openDialog = dialog;
    const waiters = this.dialogWaiters;
    this.dialogWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Runs `work` after the tab's earlier calls: refs and the last snapshot change in one order. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
