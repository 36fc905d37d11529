import { Injectable } from '@nestjs/common';
import { NotFoundError, PageActionError } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { chord, keyValue, typing } from './keys';
import { MOUSE_BUTTONS } from './element-actions';
import { storageCall, StorageOp } from './page-functions';
import { PageInspection } from './page-inspection';
import { LOG_KINDS, LogKind, TabState } from './tab-state';
import { DialogPolicy, WindowInspector } from './window-inspector';
import { WindowInspectors } from './window-inspectors';

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export const MOUSE_ACTIONS = ['move', 'down', 'up', 'click', 'wheel'] as const;
export type MouseAction = (typeof MOUSE_ACTIONS)[number];
export const KEYBOARD_ACTIONS = ['down', 'up', 'press', 'type'] as const;
export type KeyboardAction = (typeof KEYBOARD_ACTIONS)[number];

export interface MouseRequest {
  action: MouseAction;
  x?: number;
  y?: number;
  button?: (typeof MOUSE_BUTTONS)[number];
  clickCount?: number;
  deltaX?: number;
  deltaY?: number;
}

const BUTTONS = { left: 0, middle: 1, right: 2 } as const;
/** Characters of storage answered at most by a read of a whole origin. */
const STORAGE_READ_MAX = 5_000_000;

/**
 * What a window keeps while it runs (per-tab logs, network bodies, downloads, dialogs) and the
 * calls that reach a tab without an element: storage per origin, mouse and keyboard by coordinates.
 */
@Injectable()
export class PageRecords {
  constructor(
    private readonly inspectors: WindowInspectors,
    private readonly pages: PageInspection,
  ) {}

  logs(windowRef: WindowRef, tabIndex: number | undefined, kinds: LogKind[], since: number, limit: number, clear: boolean) {
    return this.pages.onTab(windowRef, tabIndex, (w, tab) => {
      const answer: Record<string, unknown> = { id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab) };
      for (const kind of kinds.length > 0 ? kinds : LOG_KINDS) {
        const log = tab.log(kind);
        answer[kind] = { entries: log.after(since, limit), dropped: log.dropped };
        if (clear) log.clear();
      }
      return Promise.resolve(answer);
    });
  }

  clearLogs(windowRef: WindowRef, tabIndex: number | undefined, kinds: LogKind[]) {
    return this.pages.onTab(windowRef, tabIndex, (w, tab) => {
      const cleared: Record<string, number> = {};
      for (const kind of kinds.length > 0 ? kinds : LOG_KINDS) cleared[kind] = tab.log(kind).clear();
      if (kinds.length === 0 || kinds.includes('network')) tab.requests.clear();
      return Promise.resolve({ id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab), cleared });
    });
  }

  networkBodies(windowRef: WindowRef, enabled: boolean, maxBytes: number) {
    return this.inspectors.run(windowRef, async (w) => {
      if (enabled) await w.inspector.enableBodies(maxBytes);
      else await w.inspector.disableBodies();
      return { id: w.id, uuid: w.uuid, enabled, ...(enabled ? { maxBytes } : {}) };
    });
  }

  networkBody(windowRef: WindowRef, requestId: string, part: 'request' | 'response') {
    return this.inspectors.run(windowRef, async (w) => ({
      id: w.id,
      uuid: w.uuid,
      requestId,
      part,
      ...(await w.inspector.body(requestId, part)),
    }));
  }

  downloads(windowRef: WindowRef) {
    return this.inspectors.run(windowRef, (w) => Promise.resolve({ id: w.id, uuid: w.uuid, downloads: w.inspector.downloads.list() }));
  }

  download(windowRef: WindowRef, downloadId: string) {
    return this.inspectors.run(windowRef, (w) => Promise.resolve(w.inspector.downloads.path(downloadId)));
  }

  dialogPolicy(windowRef: WindowRef, policy: DialogPolicy, promptText?: string) {
    return this.inspectors.run(windowRef, (w) => {
      w.inspector.policy = { policy, promptText: promptText ?? null };
      return Promise.resolve({ id: w.id, uuid: w.uuid, policy, promptText: promptText ?? null });
    });
  }

  handleDialog(windowRef: WindowRef, tabIndex: number | undefined, accept: boolean, promptText?: string) {
    return this.pages.onTab(windowRef, tabIndex, async (w, tab) => {
      const dialog = tab.openDialog;
      await w.inspector.handleDialog(tab, accept, promptText);
      return { id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab), type: dialog?.type, message: dialog?.message, accepted: accept };
    });
  }

  /** local/session storage of `origin` (the tab's own when left out), through a frame of the tab on that origin. */
  storage(windowRef: WindowRef, tabIndex: number | undefined, kind: 'local' | 'session', origin: string | undefined, op: StorageOp) {
    return this.pages.onTab(windowRef, tabIndex, async (w, tab) => {
      const context = origin === undefined ? tab.context : await this.frameOn(w.inspector, tab, origin);
      const answer = await w.inspector.sandboxCall<Record<string, unknown>>(context, storageCall, [
        kind,
        op.op === 'get' ? { ...op, max: STORAGE_READ_MAX } : op,
      ]);
      if (answer.error) throw new PageActionError(`${kind}Storage of ${text(answer.origin)}: ${text(answer.error)}`);
      return { id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab), kind, ...answer };
    });
  }

  mouse(windowRef: WindowRef, tabIndex: number | undefined, request: MouseRequest) {
    return this.pages.onTab(windowRef, tabIndex, async (w, tab) => {
      w.inspector.refuseIfDialog(tab);
      const button = BUTTONS[request.button ?? 'left'];
      const at =
        request.x !== undefined && request.y !== undefined ? [{ type: 'pointerMove', x: request.x, y: request.y, origin: 'viewport' }] : [];
      const steps: Record<MouseAction, unknown[]> = {
        move: at,
        down: [...at, { type: 'pointerDown', button }],
        up: [...at, { type: 'pointerUp', button }],
        click: [
          ...at,
          ...Array.from({ length: request.clickCount ?? 1 }, () => [
            { type: 'pointerDown', button },
            { type: 'pointerUp', button },
          ]).flat(),
        ],
        wheel: [],
      };
      const actions =
        request.action === 'wheel'
          ? [
              {
                type: 'wheel',
                id: 'cos-wheel',
                actions: [
                  { type: 'scroll', x: request.x ?? 0, y: request.y ?? 0, deltaX: request.deltaX ?? 0, deltaY: request.deltaY ?? 0 },
                ],
              },
            ]
          : [{ type: 'pointer', id: 'cos-mouse', parameters: { pointerType: 'mouse' }, actions: steps[request.action] }];
      // A button held down stays down for the next call's `up`; nothing is released between calls.
      await w.inspector.perform(tab, tab.context, actions, false);
      await tab.settled(30_000);
      return { id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab), action: request.action };
    });
  }

  keyboard(windowRef: WindowRef, tabIndex: number | undefined, action: 'down' | 'up' | 'press' | 'type', key?: string, text?: string) {
    return this.pages.onTab(windowRef, tabIndex, async (w, tab) => {
      w.inspector.refuseIfDialog(tab);
      const keys =
        action === 'type'
          ? typing(text ?? '')
          : action === 'press'
            ? chord(key ?? '', 'key')
            : [{ type: action === 'down' ? ('keyDown' as const) : ('keyUp' as const), value: keyValue(key ?? '', 'key') }];
      await w.inspector.perform(tab, tab.context, [{ type: 'key', id: 'cos-keys', actions: keys }], false);
      await tab.settled(30_000);
      return { id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab), action };
    });
  }

  private async frameOn(inspector: WindowInspector, tab: TabState, origin: string): Promise<string> {
    type Node = { context: string; url: string; children?: Node[] | null };
    const { contexts } = await inspector.client.send<{ contexts: Node[] }>('browsingContext.getTree', { root: tab.context });
    const queue = [...contexts];
    while (queue.length > 0) {
      const node = queue.shift()!;
      try {
        if (new URL(node.url).origin === origin) return node.context;
      } catch {
        // about:blank and the like have no origin of their own
      }
      queue.push(...(node.children ?? []));
    }
    throw new NotFoundError(`No frame of tab ${inspector.indexOf(tab)} is on ${origin}; open the origin in the tab first`);
  }
}
