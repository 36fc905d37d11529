/**
 * Long: a tab's inspection state (refs, logs, dialogs) and the BiDi calls on it are one object that
 * lives as long as the window; its pure parts live in tab-state.ts and page-records.ts.
 */
import { ConflictError, InvalidParamError, NotFoundError, PageActionError } from '@cos/contracts';
import { BidiClient, BidiCommandError } from './bidi-client';
import { fromRemote } from './remote-value';
import { cut, ENTRY_TEXT_MAX, ENTRY_URL_MAX, TabState } from './tab-state';
import { WindowDownloads } from './window-downloads';

export const DIALOG_POLICIES = ['accept', 'dismiss', 'manual'] as const;
export type DialogPolicy = (typeof DIALOG_POLICIES)[number];

/** The sandbox realm the inspection runs in: the page's scripts never see it. */
const SANDBOX = 'cos-inspect';
/** Tabs whose logs are kept; a page that opens more gets no logs for the rest. */
const TABS_LOGGED = 100;

const EVENTS = [
  'browsingContext.contextCreated',
  'browsingContext.contextDestroyed',
  'browsingContext.navigationStarted',
  'browsingContext.domContentLoaded',
  'browsingContext.load',
  'browsingContext.navigationFailed',
  'browsingContext.fragmentNavigated',
  'browsingContext.userPromptOpened',
  'browsingContext.userPromptClosed',
  'browsingContext.downloadWillBegin',
  'browsingContext.downloadEnd',
  'log.entryAdded',
  'network.beforeRequestSent',
  'network.responseCompleted',
  'network.fetchError',
];

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * (Past 300 lines because every event it files and every command it sends belongs to the one
 * connection; the logic per call lives in snapshots, element-actions and the page services.)
 *
 * One running window as the inspection sees it, from its open to its close: its tabs (with their
 * logs, refs and dialogs), its downloads and the dialog policy. It is a client of the window's
 * BiDi multiplexer of its own, subscribed to the events the logs need.
 */
export class WindowInspector {
  readonly tabs = new Map<string, TabState>();
  /** Every context's parent (null for a tab), to file a frame's events under its tab. */
  private readonly parents = new Map<string, string | null>();
  private selected: string | null = null;
  policy: { policy: DialogPolicy; promptText: string | null } = { policy: 'dismiss', promptText: null };
  bodies: { collector: string; maxBytes: number } | null = null;

  constructor(
    readonly uuid: string,
    readonly client: BidiClient,
    readonly downloads: WindowDownloads,
    private readonly logMax: number,
  ) {}

  async start(): Promise<void> {
    const c = this.client;
    c.on('browsingContext.contextCreated', (p) => this.contextCreated(p));
    c.on('browsingContext.contextDestroyed', (p) => this.contextDestroyed(p));
    c.on('browsingContext.navigationStarted', (p) => this.topTab(p)?.navigationStarted(str(p.navigation)));
    for (const ended of ['domContentLoaded', 'load', 'navigationFailed', 'fragmentNavigated', 'downloadWillBegin']) {
      c.on(`browsingContext.${ended}`, (p) => {
        const tab = this.topTab(p);
        if (tab && typeof p.url === 'string' && ended !== 'downloadWillBegin' && ended !== 'navigationFailed') tab.url = p.url;
        tab?.navigationEnded(str(p.navigation));
      });
    }
    c.on('browsingContext.userPromptOpened', (p) => void this.promptOpened(p));
    c.on('browsingContext.userPromptClosed', (p) => this.promptClosed(p));
    c.on('log.entryAdded', (p) => this.logEntry(p));
    c.on('network.beforeRequestSent', (p) => this.requestSent(p));
    c.on('network.responseCompleted', (p) => this.requestDone(p, null));
    c.on('network.fetchError', (p) => this.requestDone(p, str(p.errorText) ?? 'failed'));
    await c.send('session.new', { capabilities: {} });
    await c.send('session.subscribe', { events: EVENTS });
    const tree = await c.send<{ contexts: { context: string; url: string; children: unknown[] | null }[] }>('browsingContext.getTree', {});
    const walk = (nodes: { context: string; url: string; children: unknown[] | null }[], parent: string | null) => {
      for (const node of nodes) {
        this.contextCreated({ context: node.context, parent, url: node.url });
        walk((node.children ?? []) as typeof nodes, node.context);
      }
    };
    walk(tree.contexts, null);
    await this.downloads.start(c);
  }

  /** A tab by its index in the window (creation order); the selected tab when none is given. */
  tab(index?: number): TabState {
    if (index !== undefined) {
      const tab = [...this.tabs.values()][index];
      if (!tab) throw new NotFoundError(`Tab ${index} does not exist; the window has ${this.tabs.size} tab(s)`);
      return tab;
    }
    const tab = (this.selected ? this.tabs.get(this.selected) : undefined) ?? this.tabs.values().next().value;
    if (!tab) throw new NotFoundError('The window has no tab');
    return tab;
  }

  indexOf(tab: TabState): number {
    return [...this.tabs.values()].indexOf(tab);
  }

  select(tab: TabState): void {
    this.selected = tab.context;
  }

  isSelected(tab: TabState): boolean {
    return this.tab() === tab;
  }

  /** Calls `fn` in the sandbox of a frame with JSON arguments; a page that throws is 422. */
  async sandboxCall<T>(context: string, fn: (...args: never[]) => unknown, args: unknown[], timeoutMs = 30_000): Promise<T> {
    return this.call<T>(
      context,
      `function (json) { return (${fn.toString()}).apply(null, JSON.parse(json)); }`,
      [{ type: 'string', value: JSON.stringify(args) }],
      true,
      timeoutMs,
    );
  }

  /** Calls a function in a frame's own realm (the page's world, as the page's scripts see it). */
  async pageCall<T>(context: string, declaration: string, args: unknown[], timeoutMs: number): Promise<T> {
    return this.call<T>(context, declaration, args, false, timeoutMs);
  }

  private async call<T>(context: string, declaration: string, args: unknown[], sandbox: boolean, timeoutMs: number): Promise<T> {
    const answer = await this.client.send<{ type: string; result?: unknown; exceptionDetails?: { text?: string } }>(
      'script.callFunction',
      {
        functionDeclaration: declaration,
        arguments: args,
        awaitPromise: true,
        target: sandbox ? { context, sandbox: SANDBOX } : { context },
        resultOwnership: 'none',
        serializationOptions: { maxDomDepth: 0, maxObjectDepth: 8 },
        userActivation: true,
      },
      timeoutMs,
    );
    if (answer.type === 'exception') throw new PageActionError(`The page's script threw: ${answer.exceptionDetails?.text ?? 'an error'}`);
    return fromRemote(answer.result) as T;
  }

  /**
   * Input actions in a frame of `tab`. An action whose event handler opens a dialog left for an
   * explicit answer is done once the dialog is there: Firefox answers it only after the dialog closes.
   */
  async perform(tab: TabState, context: string, actions: unknown[], release = true, timeoutMs = 60_000): Promise<void> {
    const done = this.client.send('input.performActions', { context, actions }, timeoutMs);
    done.catch(() => undefined);
    const dialog = tab.dialogLeftOpen();
    const opened = await Promise.race([done.then(() => false), dialog.then(() => true)]);
    if (!opened && release) await this.client.send('input.releaseActions', { context }).catch(() => undefined);
  }

  /** A dialog left open (manual policy) stops calls that would act on the page behind it. */
  refuseIfDialog(tab: TabState): void {
    const dialog = tab.openDialog;
    if (dialog) {
      throw new ConflictError(
        `A ${dialog.type} dialog is open on tab ${this.indexOf(tab)} (${JSON.stringify(cut(dialog.message, 200))}); ` +
          'answer it with /browser/dialogs/handle',
      );
    }
  }

  async handleDialog(tab: TabState, accept: boolean, promptText?: string): Promise<void> {
    const dialog = tab.openDialog;
    if (!dialog) throw new NotFoundError(`No dialog is open on tab ${this.indexOf(tab)}`);
    dialog.handledBy = 'call';
    await this.client.send('browsingContext.handleUserPrompt', {
      context: tab.context,
      accept,
      ...(promptText !== undefined ? { userText: promptText } : {}),
    });
  }

  async enableBodies(maxBytes: number): Promise<void> {
    await this.disableBodies();
    const { collector } = await this.client.send<{ collector: string }>('network.addDataCollector', {
      dataTypes: ['request', 'response'],
      maxEncodedDataSize: maxBytes,
      collectorType: 'blob',
    });
    this.bodies = { collector, maxBytes };
  }

  async disableBodies(): Promise<void> {
    const current = this.bodies;
    this.bodies = null;
    if (current) await this.client.send('network.removeDataCollector', { collector: current.collector }).catch(() => undefined);
  }

  /** A collected body: text when Firefox holds it as text, else base64. */
  async body(requestId: string, part: 'request' | 'response'): Promise<{ encoding: 'text' | 'base64'; data: string }> {
    if (!this.bodies) throw new ConflictError('Bodies are not being kept; turn them on with /browser/network/bodies {enabled: true}');
    try {
      const { bytes } = await this.client.send<{ bytes: { type: string; value: string } }>('network.getData', {
        dataType: part,
        request: requestId,
        collector: this.bodies.collector,
      });
      return { encoding: bytes.type === 'base64' ? 'base64' : 'text', data: bytes.value };
    } catch (error) {
      if (error instanceof BidiCommandError && /no such (network data|request)|unavailable/i.test(error.error)) {
        throw new NotFoundError(
          `No ${part} body is kept for request ${requestId} (none sent, larger than ${this.bodies.maxBytes} bytes, or made before bodies were turned on)`,
        );
      }
      if (error instanceof BidiCommandError && error.error === 'invalid argument')
        throw new InvalidParamError(`requestId: ${error.message}`);
      throw error;
    }
  }

  close(): void {
    this.client.close();
  }

  private topOf(context: string): string {
    let current = context;
    for (let parent = this.parents.get(current); parent; parent = this.parents.get(current)) current = parent;
    return current;
  }

  private topTab(params: Record<string, unknown>): TabState | undefined {
    const context = str(params.context);
    return context ? this.tabs.get(this.topOf(context)) : undefined;
  }

  private contextCreated(params: Record<string, unknown>): void {
    const context = str(params.context);
    if (!context) return;
    const parent = str(params.parent);
    this.parents.set(context, parent);
    if (parent === null && !this.tabs.has(context) && this.tabs.size < TABS_LOGGED) {
      const tab = new TabState(context, this.logMax);
      tab.url = str(params.url) ?? 'about:blank';
      this.tabs.set(context, tab);
    }
  }

  private contextDestroyed(params: Record<string, unknown>): void {
    const context = str(params.context);
    if (!context) return;
    const tab = this.tabs.get(this.topOf(context));
    tab?.forgetFrame(context);
    this.tabs.delete(context);
    this.parents.delete(context);
    if (this.selected === context) this.selected = null;
  }

  private async promptOpened(params: Record<string, unknown>): Promise<void> {
    const tab = this.topTab(params);
    if (!tab) return;
    const dialog = tab.dialogs.push({
      type: str(params.type) ?? 'alert',
      message: cut(str(params.message) ?? '', ENTRY_TEXT_MAX),
      defaultValue: str(params.defaultValue),
      openedAt: Date.now(),
      handledBy: null,
      accepted: null,
      closedAt: null,
    });
    // Firefox answers some prompts itself (a page leaving): nothing is left for the policy.
    if (params.handler !== undefined && params.handler !== 'ignore') {
      dialog.handledBy = 'policy';
      return;
    }
    if (this.policy.policy === 'manual') {
      tab.dialogOpened(dialog);
      return;
    }
    tab.openDialog = dialog;
    dialog.handledBy = 'policy';
    const accept = this.policy.policy === 'accept';
    await this.client
      .send('browsingContext.handleUserPrompt', {
        context: str(params.context),
        accept,
        ...(accept && dialog.type === 'prompt' && this.policy.promptText !== null ? { userText: this.policy.promptText } : {}),
      })
      .catch(() => undefined);
  }

  private promptClosed(params: Record<string, unknown>): void {
    const tab = this.topTab(params);
    const dialog = tab?.openDialog;
    if (!tab || !dialog) return;
    dialog.accepted = params.accepted === true;
    dialog.closedAt = Date.now();
    dialog.handledBy ??= 'other';
    tab.openDialog = null;
  }

  private logEntry(params: Record<string, unknown>): void {
    const source = params.source as { context?: string } | undefined;
    const tab = source?.context ? this.tabs.get(this.topOf(source.context)) : undefined;
    if (!tab) return;
    const text = cut(str(params.text) ?? '', ENTRY_TEXT_MAX);
    const at = typeof params.timestamp === 'number' ? params.timestamp : Date.now();
    const frames = (params.stackTrace as { callFrames?: { url: string; lineNumber: number; functionName: string }[] } | undefined)
      ?.callFrames;
    if (params.type === 'javascript') {
      const stack = frames?.length
        ? frames.slice(0, 10).map((f) => `${f.functionName || '<anonymous>'}@${f.url}:${f.lineNumber + 1}`)
        : null;
      tab.errors.push({ text, at, stack: stack ? cut(stack.join('\n'), ENTRY_TEXT_MAX) : null });
    } else {
      const first = frames?.[0];
      const level = str(params.method) ?? str(params.level) ?? 'log';
      tab.console.push({ level, text, at, source: first ? cut(`${first.url}:${first.lineNumber + 1}`, ENTRY_URL_MAX) : null });
    }
  }

  private requestSent(params: Record<string, unknown>): void {
    const tab = this.topTab(params);
    const request = params.request as
      { request?: string; url?: string; method?: string; destination?: string; initiatorType?: string } | undefined;
    if (!tab || !request?.request) return;
    const redirectCount = typeof params.redirectCount === 'number' ? params.redirectCount : 0;
    tab.addRequest(`${request.request}:${redirectCount}`, {
      requestId: request.request,
      url: cut(request.url ?? '', ENTRY_URL_MAX),
      method: request.method ?? 'GET',
      type: request.initiatorType || request.destination || null,
      startedAt: typeof params.timestamp === 'number' ? params.timestamp : Date.now(),
      status: null,
      statusText: null,
      mimeType: null,
      ms: null,
      bytes: null,
      fromCache: false,
      error: null,
      redirectCount,
    });
  }

  private requestDone(params: Record<string, unknown>, error: string | null): void {
    const tab = this.topTab(params);
    const request = params.request as { request?: string } | undefined;
    const redirectCount = typeof params.redirectCount === 'number' ? params.redirectCount : 0;
    const entry = tab && request?.request ? tab.requests.get(`${request.request}:${redirectCount}`) : undefined;
    if (!entry) return;
    const ended = typeof params.timestamp === 'number' ? params.timestamp : Date.now();
    entry.ms = Math.max(0, ended - entry.startedAt);
    if (error) {
      entry.error = cut(error, ENTRY_TEXT_MAX);
      return;
    }
    const response = params.response as
      { status?: number; statusText?: string; mimeType?: string; bytesReceived?: number; fromCache?: boolean } | undefined;
    entry.status = response?.status ?? null;
    entry.statusText = response?.statusText ?? null;
    entry.mimeType = response?.mimeType ?? null;
    entry.bytes = response?.bytesReceived ?? null;
    entry.fromCache = response?.fromCache === true;
  }
}
