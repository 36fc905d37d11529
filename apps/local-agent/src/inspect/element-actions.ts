import { ConflictError, InvalidParamError, PageActionError } from '@cos/contracts';
import { chord, KeyAction, keyValue, typing } from './keys';
import { elementCall, ElementOp, ElementTarget } from './page-element';
import { RemoteNode } from './remote-value';
import { TabState } from './tab-state';
import { WindowInspector } from './window-inspector';

export const ACTIONS = [
  'click',
  'dblclick',
  'hover',
  'focus',
  'type',
  'fill',
  'press',
  'select',
  'check',
  'uncheck',
  'upload',
  'drag',
] as const;
export type ActionName = (typeof ACTIONS)[number];
export const MOUSE_BUTTONS = ['left', 'middle', 'right'] as const;
export type MouseButton = (typeof MOUSE_BUTTONS)[number];

export interface ActRequest extends ElementTarget {
  action: ActionName;
  text?: string;
  key?: string;
  values?: string[];
  /** Upload: files already written for the page to take. */
  paths?: string[];
  /** Drag: where to drop. */
  to?: ElementTarget;
  button?: MouseButton;
  modifiers?: string[];
  delayMs?: number;
  submit?: boolean;
  timeoutMs: number;
}

const POLL_MS = 50;
const REF = /^(?:f(\d+))?e\d+$/;
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The frame a target lives in: a ref names its frame; a selector looks in the tab's own document. */
export function frameOf(tab: TabState, target: ElementTarget): string {
  if (target.ref === undefined) return tab.context;
  const match = REF.exec(target.ref);
  if (!match) throw new InvalidParamError(`ref ${JSON.stringify(target.ref)} is not a snapshot ref (e12, f1e7)`);
  const context = tab.frameContexts.get(match[1] === undefined ? 0 : Number(match[1]));
  if (!context) throw staleRef(target.ref);
  return context;
}

function staleRef(ref: string): ConflictError {
  return new ConflictError(`Ref ${ref} is stale: the page navigated or the element is gone since the snapshot; take a new snapshot`);
}

const describe = (target: ElementTarget) =>
  target.ref !== undefined ? `ref ${target.ref}` : `selector ${target.selector}${target.nth ? ` (match ${target.nth})` : ''}`;

/** One call of the element function; a stale ref (409) and a bad selector (211) are answered at once. */
export async function onElement(
  inspector: WindowInspector,
  context: string,
  target: ElementTarget,
  op: ElementOp,
): Promise<Record<string, unknown>> {
  const answer = await inspector.sandboxCall<Record<string, unknown>>(context, elementCall, [target, op]);
  if (answer.error === 'stale') throw staleRef(target.ref!);
  if (answer.error === 'selector') throw new InvalidParamError(`selector ${JSON.stringify(target.selector)} is not a valid CSS selector`);
  return answer;
}

interface Ready {
  element: RemoteNode;
  checked: boolean | 'mixed' | null;
  tag: string;
  type: string | null;
}

/** Waits until the element can take the action (there, visible, enabled, not covered), scrolled into view. */
async function actionable(
  inspector: WindowInspector,
  context: string,
  target: ElementTarget,
  action: ActionName,
  timeoutMs: number,
): Promise<Ready> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await onElement(inspector, context, target, { op: 'prepare' });
    let problem: string | null = null;
    if (state.error === 'none') problem = 'no element matches';
    else if (action === 'upload')
      problem = state.tag === 'input' && state.type === 'file' ? null : `it is a <${text(state.tag)}>, not a file input`;
    else if (action === 'select') problem = state.disabled ? 'it is disabled' : null;
    else if (!state.visible) problem = 'it is not visible';
    else if ((action === 'type' || action === 'fill') && !state.editable) problem = 'it is not editable';
    else if (action !== 'hover' && action !== 'focus' && state.disabled) problem = 'it is disabled';
    else if (['click', 'dblclick', 'hover', 'check', 'uncheck', 'drag'].includes(action) && state.covered) {
      problem = `another element would receive the click: ${text(state.covered)}`;
    }
    if (!problem && state.element instanceof RemoteNode) {
      return {
        element: state.element,
        checked: state.checked as Ready['checked'],
        tag: String(state.tag),
        type: (state.type as string) ?? null,
      };
    }
    if (Date.now() + POLL_MS > deadline) {
      throw new PageActionError(`${action} on ${describe(target)} failed: ${problem ?? 'not ready'} (waited ${timeoutMs} ms)`, {
        timedOut: true,
      });
    }
    await sleep(POLL_MS);
  }
}

const BUTTONS: Record<MouseButton, number> = { left: 0, middle: 1, right: 2 };

/** Pointer steps with modifier keys held around them, tick for tick. */
function withModifiers(pointer: Record<string, unknown>[], modifiers: string[] | undefined): unknown[] {
  const held = (modifiers ?? []).map((m, i) => keyValue(m, `modifiers[${i}]`));
  const mouse = { type: 'pointer', id: 'cos-mouse', parameters: { pointerType: 'mouse' }, actions: pointer };
  if (held.length === 0) return [mouse];
  const pause = { type: 'pause', duration: 0 };
  return [
    {
      type: 'key',
      id: 'cos-keys',
      actions: [
        ...held.map((value) => ({ type: 'keyDown', value })),
        ...pointer.map(() => pause),
        ...held.map((value) => ({ type: 'keyUp', value })),
      ],
    },
    { ...mouse, actions: [...held.map(() => pause), ...pointer, ...held.map(() => pause)] },
  ];
}

const keys = (actions: KeyAction[]) => [{ type: 'key', id: 'cos-keys', actions }];

/** Acts on an element by ref or selector; answers what the action left (checked state, selected values, the value). */
export async function act(inspector: WindowInspector, tab: TabState, request: ActRequest): Promise<Record<string, unknown>> {
  return tab.exclusive(async () => {
    inspector.refuseIfDialog(tab);
    await tab.settled(request.timeoutMs);
    const context = frameOf(tab, request);
    const result = await perform(inspector, tab, context, request);
    // A click or key that started a navigation: answered once the new document is there.
    await tab.settled(request.timeoutMs);
    return result;
  });
}

async function perform(inspector: WindowInspector, tab: TabState, context: string, request: ActRequest): Promise<Record<string, unknown>> {
  const { action, timeoutMs } = request;
  const ready = await actionable(inspector, context, request, action, timeoutMs);
  const origin = { type: 'element', element: { sharedId: ready.element.sharedId } };
  const button = BUTTONS[request.button ?? 'left'];
  const click = [
    { type: 'pointerDown', button },
    { type: 'pointerUp', button },
  ];
  switch (action) {
    case 'click':
    case 'dblclick':
      await inspector.perform(
        tab,
        context,
        withModifiers([{ type: 'pointerMove', x: 0, y: 0, origin }, ...click, ...(action === 'dblclick' ? click : [])], request.modifiers),
      );
      return {};
    case 'hover':
      await inspector.perform(tab, context, withModifiers([{ type: 'pointerMove', x: 0, y: 0, origin }], request.modifiers));
      return {};
    case 'check':
    case 'uncheck': {
      const wanted = action === 'check';
      if (ready.checked === wanted) return { checked: wanted, changed: false };
      await inspector.perform(tab, context, withModifiers([{ type: 'pointerMove', x: 0, y: 0, origin }, ...click], undefined));
      const after = await onElement(inspector, context, request, { op: 'probe' });
      if (after.checked !== wanted)
        throw new PageActionError(`${action} on ${describe(request)}: the click left it ${after.checked ? 'checked' : 'unchecked'}`);
      return { checked: wanted, changed: true };
    }
    case 'focus':
      return { focused: (await onElement(inspector, context, request, { op: 'focus' })).focused };
    case 'type': {
      await onElement(inspector, context, request, { op: 'focus' });
      await inspector.perform(
        tab,
        context,
        keys([...typing(request.text ?? '', request.delayMs), ...(request.submit ? chord('Enter', 'key') : [])]),
      );
      return {};
    }
    case 'fill': {
      const filled = await onElement(inspector, context, request, { op: 'fill', text: request.text ?? '' });
      if (filled.error) throw new PageActionError(`fill on ${describe(request)}: ${text(filled.error)}`);
      if (request.submit) await inspector.perform(tab, context, keys(chord('Enter', 'key')));
      return { value: filled.value };
    }
    case 'press': {
      await onElement(inspector, context, request, { op: 'focus' });
      await inspector.perform(tab, context, keys(chord(request.key ?? '', 'key')));
      return {};
    }
    case 'select': {
      const chosen = await onElement(inspector, context, request, { op: 'select', values: request.values ?? [] });
      if (chosen.error === 'no option') {
        throw new PageActionError(
          `select on ${describe(request)}: no option has value or label ${(chosen.missing as string[]).map((m) => JSON.stringify(m)).join(', ')}`,
          {
            options: chosen.options,
          },
        );
      }
      if (chosen.error) throw new PageActionError(`select on ${describe(request)}: ${text(chosen.error)}`);
      return { selected: chosen.selected };
    }
    case 'upload':
      await inspector.client.send('input.setFiles', { context, element: { sharedId: ready.element.sharedId }, files: request.paths ?? [] });
      return { files: (request.paths ?? []).length };
    case 'drag': {
      const to = request.to!;
      if (frameOf(tab, to) !== context) throw new InvalidParamError('to: a drag ends in the frame it starts in');
      const drop = await actionable(inspector, context, to, 'hover', timeoutMs);
      const dropOrigin = { type: 'element', element: { sharedId: drop.element.sharedId } };
      await inspector.perform(
        tab,
        context,
        withModifiers(
          [
            { type: 'pointerMove', x: 0, y: 0, origin },
            { type: 'pointerDown', button },
            { type: 'pointerMove', x: 5, y: 5, origin, duration: 50 },
            { type: 'pointerMove', x: 0, y: 0, origin: dropOrigin, duration: 100 },
            { type: 'pointerUp', button },
          ],
          request.modifiers,
        ),
      );
      return {};
    }
  }
}

/** Coordinates of a frame's content in its tab's viewport: its iframe elements' content boxes added up. */
export async function frameOrigin(inspector: WindowInspector, tab: TabState, context: string): Promise<{ x: number; y: number }> {
  let x = 0;
  let y = 0;
  for (let current = context, hops = 0; current !== tab.context && hops < 10; hops++) {
    const owner = tab.frameOwners.get(current);
    if (!owner) break;
    const offset = await onElement(inspector, owner.parent, { ref: owner.ref }, { op: 'frameOffset' });
    x += Number(offset.x);
    y += Number(offset.y);
    current = owner.parent;
  }
  return { x, y };
}
