import { randomUUID } from 'node:crypto';

/** One `session.subscribe` of a client: event names or whole modules, and where (null: everywhere). */
export interface Subscription {
  events: Set<string>;
  /** Top-level browsing contexts the events must come from. */
  contexts: Set<string> | null;
  userContexts: Set<string> | null;
}

interface TreeNode {
  context: string;
  parent?: string | null;
  userContext?: string;
  children?: TreeNode[] | null;
}

/** The browsing context an event names: its own field, or its source's (log, script messages). */
function namedContext(params: Record<string, unknown>): string | null {
  if (typeof params.context === 'string') return params.context;
  const source = params.source as { context?: unknown } | undefined;
  return typeof source?.context === 'string' ? source.context : null;
}

const strings = (value: unknown) => (Array.isArray(value) ? value.filter((e): e is string => typeof e === 'string') : null);

/**
 * Which client wants which event. Firefox sends the session every event anyone subscribed to;
 * the multiplexer keeps each client's subscriptions and the context tree (from Firefox's own
 * events), so a subscription for a tab takes its frames' events and realm events reach the
 * subscribers of the realm's tab.
 */
export class EventRoutes {
  /** Every browsing context's parent (null for a tab) and user context. */
  private readonly contexts = new Map<string, { parent: string | null; userContext: string }>();
  /** Each window realm's browsing context: `script.realmDestroyed` names only the realm. */
  private readonly realms = new Map<string, string>();

  static readonly TRACKED_EVENTS = [
    'browsingContext.contextCreated',
    'browsingContext.contextDestroyed',
    'script.realmCreated',
    'script.realmDestroyed',
  ];

  /** The tree `browsingContext.getTree` answered, at start. */
  seedTree(contexts: unknown): void {
    const visit = (nodes: TreeNode[] | null | undefined, parent: string | null) => {
      for (const node of nodes ?? []) {
        this.contexts.set(node.context, { parent, userContext: node.userContext ?? 'default' });
        visit(node.children, node.context);
      }
    };
    visit(contexts as TreeNode[] | undefined, null);
  }

  /** Learns from an event before it is routed; returns where it happened (null: cannot be told). */
  observe(method: string, params: Record<string, unknown>): string | null {
    if (method === 'browsingContext.contextCreated' && typeof params.context === 'string') {
      const parent = typeof params.parent === 'string' ? params.parent : null;
      this.contexts.set(params.context, { parent, userContext: typeof params.userContext === 'string' ? params.userContext : 'default' });
    }
    if (method === 'script.realmCreated' && typeof params.realm === 'string' && typeof params.context === 'string') {
      this.realms.set(params.realm, params.context);
    }
    return namedContext(params) ?? (typeof params.realm === 'string' ? (this.realms.get(params.realm) ?? null) : null);
  }

  /** Forgets what an event ended, once it has been routed. */
  forget(method: string, params: Record<string, unknown>): void {
    if (method === 'browsingContext.contextDestroyed' && typeof params.context === 'string') this.contexts.delete(params.context);
    if (method === 'script.realmDestroyed' && typeof params.realm === 'string') this.realms.delete(params.realm);
  }

  /** A client's subscribe as it is filed: under a key of its own until Firefox names it. */
  subscription(params: Record<string, unknown>): { key: string; subscription: Subscription } {
    const contexts = strings(params.contexts);
    const userContexts = strings(params.userContexts);
    return {
      key: randomUUID(),
      subscription: {
        events: new Set(strings(params.events) ?? []),
        // As in BiDi, a subscription for a frame is one for its tab.
        contexts: contexts ? new Set(contexts.map((c) => this.topOf(c))) : null,
        userContexts: userContexts ? new Set(userContexts) : null,
      },
    };
  }

  private topOf(context: string): string {
    let current = context;
    for (let parent = this.contexts.get(current)?.parent; parent; parent = this.contexts.get(current)?.parent) current = parent;
    return current;
  }

  /**
   * Whether subscriptions take this event from where it happened: a subscription for some tabs
   * takes their frames' events too; one for user contexts takes their tabs'. An event whose
   * context cannot be told (a worker's realm, say) goes to every subscriber of it: a client may
   * see one too many, never miss its own.
   */
  wants(subscriptions: Iterable<Subscription>, method: string, context: string | null): boolean {
    const module = method.split('.')[0];
    for (const subscription of subscriptions) {
      if (!subscription.events.has(method) && !subscription.events.has(module)) continue;
      if (!subscription.contexts && !subscription.userContexts) return true;
      if (context === null) return true;
      if (subscription.contexts?.has(this.topOf(context))) return true;
      if (subscription.userContexts?.has(this.contexts.get(this.topOf(context))?.userContext ?? 'default')) return true;
    }
    return false;
  }
}
