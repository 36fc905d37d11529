/**
 * What the inspection does to one element, as it runs in the frame's BiDi sandbox realm (native
 * DOM through Xray wrappers, whatever the page changed). The element is found by a snapshot's ref
 * (kept by `snapshotFrame` in the sandbox) or by a CSS selector. Self-contained: serialised with
 * toString(), so it refers to nothing outside itself.
 */
export interface ElementTarget {
  ref?: string;
  selector?: string;
  /** Which match of `selector` (0-based). */
  nth?: number;
}

export type ElementOp =
  | { op: 'probe' }
  | { op: 'node' }
  | { op: 'prepare' }
  | { op: 'focus' }
  | { op: 'fill'; text: string }
  | { op: 'select'; values: string[] }
  | { op: 'get'; what: string; name?: string; max: number }
  | { op: 'frameOffset' };

export function elementCall(target: ElementTarget, action: ElementOp): Record<string, unknown> {
  const state = (globalThis as unknown as { __cosRefs?: { byRef: Map<string, WeakRef<Element>> } }).__cosRefs;
  let element: Element | null;
  let count: number;
  if (target.ref !== undefined) {
    element = state?.byRef.get(target.ref)?.deref() ?? null;
    if (!element || !element.isConnected) return { error: 'stale' };
    count = 1;
  } else {
    let all: NodeListOf<Element>;
    try {
      all = document.querySelectorAll(target.selector ?? '');
    } catch {
      return { error: 'selector' };
    }
    count = all.length;
    if (action.op === 'get' && action.what === 'count') return { value: count };
    element = all[target.nth ?? 0] ?? null;
    if (!element) return { error: 'none', count };
  }
  const html = element as HTMLElement;
  const tag = element.localName;
  const style = window.getComputedStyle(element);
  const rect = element.getBoundingClientRect();
  const visible = style.visibility === 'visible' && rect.width > 0 && rect.height > 0 && element.checkVisibility();
  const input = element as HTMLInputElement;
  const disabled = (input.disabled === true || element.matches(':disabled') || element.closest('[aria-disabled=true]') !== null) === true;
  const textField =
    tag === 'textarea' ||
    (tag === 'input' &&
      !['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'file', 'range', 'color', 'hidden'].includes(input.type));
  const editable = !disabled && (html.isContentEditable || (textField && !input.readOnly));
  const box = { x: rect.x, y: rect.y, width: rect.width, height: rect.height };

  function checked(): boolean | 'mixed' | null {
    if (tag === 'input' && (input.type === 'checkbox' || input.type === 'radio')) return input.indeterminate ? 'mixed' : input.checked;
    const aria = element!.getAttribute('aria-checked') ?? element!.getAttribute('aria-pressed');
    if (aria === 'mixed') return 'mixed';
    return aria === null ? null : aria === 'true';
  }

  function describe(node: Element): string {
    const id = node.id ? `#${node.id}` : '';
    const cls =
      typeof node.className === 'string' && node.className.trim() ? `.${node.className.trim().split(/\s+/).slice(0, 2).join('.')}` : '';
    return `<${node.localName}${id}${cls}>`;
  }

  /** What a click at the element's centre would hit: the element (or inside it, or its label), or what covers it. */
  function hitTarget(): string | null {
    const now = element!.getBoundingClientRect();
    const x = now.x + now.width / 2;
    const y = now.y + now.height / 2;
    let hit: Element | null = document.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    if (!hit) return 'nothing (outside the viewport)';
    for (let node: globalThis.Node | null = hit; node; node = node.parentNode ?? (node as ShadowRoot).host ?? null) {
      if (node === element) return null;
    }
    const label = hit.closest('label');
    if (label && label.control === element) return null;
    if (element!.contains(hit)) return null;
    return describe(hit);
  }

  switch (action.op) {
    case 'node':
      return { element };
    case 'probe':
      return { count, visible, disabled, editable, tag, type: input.type ?? null, checked: checked(), box };
    case 'prepare': {
      element.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
      return {
        element,
        visible,
        disabled,
        editable,
        tag,
        type: input.type ?? null,
        checked: checked(),
        covered: visible ? hitTarget() : null,
      };
    }
    case 'focus':
      html.focus();
      return { element, focused: element.ownerDocument.activeElement === element || element.contains(element.ownerDocument.activeElement) };
    case 'fill': {
      if (!editable) return { error: 'not editable', tag };
      html.focus();
      if (html.isContentEditable) {
        const range = document.createRange();
        range.selectNodeContents(element);
        const selection = window.getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
      } else input.select();
      // A real edit, as typing makes it: the page gets trusted beforeinput/input events.
      const done = action.text === '' ? document.execCommand('delete', false) : document.execCommand('insertText', false, action.text);
      if (!done || (!html.isContentEditable && input.value !== action.text)) {
        input.value = action.text;
        element.dispatchEvent(
          new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertReplacementText', data: action.text }),
        );
      }
      element.dispatchEvent(new Event('change', { bubbles: true }));
      return { value: html.isContentEditable ? html.innerText : input.value };
    }
    case 'select': {
      if (tag !== 'select') return { error: 'not a select', tag };
      const select = element as HTMLSelectElement;
      const options = Array.from(select.options);
      const wanted = action.values.map(
        (v) => options.find((o) => o.value === v) ?? options.find((o) => o.label === v || o.text.trim() === v),
      );
      const missing = action.values.filter((_, i) => !wanted[i]);
      if (missing.length > 0) return { error: 'no option', missing, options: options.slice(0, 50).map((o) => o.value) };
      if (!select.multiple && wanted.length > 1) return { error: 'single select', tag };
      for (const option of options) option.selected = wanted.includes(option);
      select.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      select.dispatchEvent(new Event('change', { bubbles: true }));
      return { selected: Array.from(select.selectedOptions).map((o) => o.value) };
    }
    case 'frameOffset': {
      // Where the frame's content starts inside this iframe element: its box, border and padding.
      const frameStyle = window.getComputedStyle(element);
      return {
        x: rect.x + element.clientLeft + parseFloat(frameStyle.paddingLeft),
        y: rect.y + element.clientTop + parseFloat(frameStyle.paddingTop),
      };
    }
    case 'get': {
      const cut = (text: string) => (text.length > action.max ? { value: text.slice(0, action.max), truncated: true } : { value: text });
      switch (action.what) {
        case 'text':
          return cut(html.innerText ?? element.textContent ?? '');
        case 'html':
          return cut(element.outerHTML);
        case 'value':
          return 'value' in element ? cut(String(input.value)) : { value: null };
        case 'attribute': {
          const value = element.getAttribute(action.name ?? '');
          return value === null ? { value: null } : cut(value);
        }
        case 'visible':
          return { value: visible };
        case 'enabled':
          return { value: !disabled };
        case 'checked':
          return { value: checked() };
        case 'editable':
          return { value: editable };
        case 'box':
          return { value: visible ? box : null };
        default:
          return { error: 'what' };
      }
    }
  }
}
