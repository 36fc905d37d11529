/** A command the multiplexer sends Firefox on its own, to undo what a client left behind. */
export interface Undo {
  method: string;
  params: Record<string, unknown>;
}

/** What a client set up that lives in Firefox's one session, not in the client's connection. */
type Kind = 'intercept' | 'script' | 'collector' | 'userContext' | 'subscription';

/** The command that makes each kind, the field of its answer that names it, and the command that removes it. */
const KINDS: { kind: Kind; add: string; field: string; remove: string; param: string; error: string }[] = [
  {
    kind: 'intercept',
    add: 'network.addIntercept',
    field: 'intercept',
    remove: 'network.removeIntercept',
    param: 'intercept',
    error: 'no such intercept',
  },
  {
    kind: 'script',
    add: 'script.addPreloadScript',
    field: 'script',
    remove: 'script.removePreloadScript',
    param: 'script',
    error: 'no such script',
  },
  {
    kind: 'collector',
    add: 'network.addDataCollector',
    field: 'collector',
    remove: 'network.removeDataCollector',
    param: 'collector',
    error: 'no such network collector',
  },
  {
    kind: 'userContext',
    add: 'browser.createUserContext',
    field: 'userContext',
    remove: 'browser.removeUserContext',
    param: 'userContext',
    error: 'no such user context',
  },
];

/** How a request blocked in each phase is let go on the way it would have gone without the intercept. */
const CONTINUE: Record<string, (request: string) => Undo> = {
  'network.beforeRequestSent': (request) => ({ method: 'network.continueRequest', params: { request } }),
  'network.responseStarted': (request) => ({ method: 'network.continueResponse', params: { request } }),
  'network.authRequired': (request) => ({ method: 'network.continueWithAuth', params: { request, action: 'default' } }),
};
const SETTLES = new Set([
  'network.continueRequest',
  'network.continueResponse',
  'network.continueWithAuth',
  'network.failRequest',
  'network.provideResponse',
]);
/** Requests held by intercepts at once, remembered to be let go; the oldest are forgotten past this. */
const BLOCKED_MAX = 10_000;

/**
 * Every client's intercepts, preload scripts, data collectors, user contexts and subscriptions in
 * Firefox's session, by owner. A leaving client's are removed (and the requests its intercepts hold are let
 * go), so it leaves the session as the others knew it; no client may remove another's.
 */
export class ClientResources<C> {
  private readonly owners = new Map<string, { kind: Kind; owner: C }>();
  /** Requests Firefox holds for intercepts: the phase they wait in and the intercepts that hold them. */
  private readonly blocked = new Map<string, { phase: string; intercepts: string[] }>();

  /** Refuses a command that would remove what another client owns, with the error Firefox gives for an unknown id; null lets it pass. */
  refusal(client: C, method: string, params: Record<string, unknown>): { error: string; message: string } | null {
    const removes = KINDS.find((k) => k.remove === method);
    const id = removes ? params[removes.param] : undefined;
    if (removes && typeof id === 'string') {
      const known = this.owners.get(id);
      if (known && known.owner !== client) return { error: removes.error, message: `No ${removes.kind} ${id} of this client` };
    }
    // A held request is let go (or answered) only by a client whose intercept holds it.
    const held = SETTLES.has(method) && typeof params.request === 'string' ? this.blocked.get(params.request) : undefined;
    if (held && !held.intercepts.some((i) => this.owners.get(i)?.owner === client)) {
      return { error: 'no such request', message: `No request ${String(params.request)} held by an intercept of this client` };
    }
    // A user context in the session is its creator's; the default one is nobody's to set permissions in.
    if (method === 'permissions.setPermission' && typeof params.userContext === 'string') {
      const known = this.owners.get(params.userContext);
      if (!known || known.owner !== client)
        return { error: 'no such user context', message: `No user context ${params.userContext} of this client` };
    }
    if (method === 'session.unsubscribe' && Array.isArray(params.subscriptions)) {
      for (const sub of params.subscriptions) {
        const known = typeof sub === 'string' ? this.owners.get(sub) : undefined;
        if (!known || known.owner !== client || known.kind !== 'subscription')
          return { error: 'invalid argument', message: `No subscription ${String(sub)} of this client` };
      }
    }
    return null;
  }

  /** Files what a successful command made or removed. Returns the undo when its client has already gone. */
  answered(client: C, gone: boolean, method: string, params: Record<string, unknown>, result: Record<string, unknown>): Undo[] {
    const adds = KINDS.find((k) => k.add === method);
    const made = adds ? result[adds.field] : method === 'session.subscribe' ? result.subscription : undefined;
    if (typeof made === 'string') {
      const kind = adds?.kind ?? 'subscription';
      if (gone) return [this.undoOf(kind, made)];
      this.owners.set(made, { kind, owner: client });
    }
    const removes = KINDS.find((k) => k.remove === method);
    if (removes && typeof params[removes.param] === 'string') this.owners.delete(params[removes.param] as string);
    if (method === 'session.unsubscribe' && Array.isArray(params.subscriptions)) {
      for (const sub of params.subscriptions) if (typeof sub === 'string') this.owners.delete(sub);
    }
    if (SETTLES.has(method) && typeof params.request === 'string') this.blocked.delete(params.request);
    return [];
  }

  /** Keeps track of requests intercepts hold, from the network events Firefox sends. */
  observe(method: string, params: Record<string, unknown>): void {
    const request = (params.request as { request?: unknown } | undefined)?.request;
    if (typeof request !== 'string') return;
    if (params.isBlocked === true && Array.isArray(params.intercepts) && CONTINUE[method]) {
      this.blocked.delete(request);
      this.blocked.set(request, { phase: method, intercepts: params.intercepts.filter((i): i is string => typeof i === 'string') });
      if (this.blocked.size > BLOCKED_MAX) this.blocked.delete(this.blocked.keys().next().value!);
    } else if (method === 'network.responseCompleted' || method === 'network.fetchError') {
      this.blocked.delete(request);
    }
  }

  /** The commands that remove everything `client` owns, and let go the requests only its intercepts held. */
  release(client: C): Undo[] {
    const undo: Undo[] = [];
    const subscriptions: string[] = [];
    const gone = new Set<string>();
    for (const [id, { kind, owner }] of this.owners) {
      if (owner !== client) continue;
      this.owners.delete(id);
      if (kind === 'subscription') subscriptions.push(id);
      else undo.push(this.undoOf(kind, id));
      if (kind === 'intercept') gone.add(id);
    }
    if (subscriptions.length > 0) undo.push({ method: 'session.unsubscribe', params: { subscriptions } });
    for (const [request, { phase, intercepts }] of this.blocked) {
      // Held only by intercepts that no longer exist: nobody is left to let it go.
      if (intercepts.some((i) => gone.has(i)) && intercepts.every((i) => gone.has(i) || !this.owners.has(i))) {
        this.blocked.delete(request);
        undo.push(CONTINUE[phase](request));
      }
    }
    return undo;
  }

  private undoOf(kind: Kind, id: string): Undo {
    if (kind === 'subscription') return { method: 'session.unsubscribe', params: { subscriptions: [id] } };
    const { remove, param } = KINDS.find((k) => k.kind === kind)!;
    return { method: remove, params: { [param]: id } };
  }
}
