/**
 * The aria snapshot of one frame, as it runs in the frame's WebDriver BiDi sandbox realm. (Long
 * because it is one function: it is sent to the page whole, and can share no helper with others.)
 *
 * Why it is written here rather than taken from a library: it runs inside the page's sandbox as
 * one self-contained function (its source is sent to Firefox), so it can reach nothing but the
 * sandbox's own intrinsics and the Xray-wrapped DOM, which always gives the native DOM whatever
 * the page did to its prototypes. Accessibility libraries (dom-accessibility-api and the like)
 * are modules that would have to be bundled into it and compute every name with a second walk of
 * the tree; this walk builds each node once and names it from the children it has already built.
 * It follows HTML-AAM for implicit roles and the accessible-name steps that matter for agents:
 * aria-labelledby, aria-label, labels, alt/title/placeholder, then content.
 *
 * Nothing here may refer to anything outside the function: it is serialised with toString().
 */
export interface SnapshotRequest {
  /** Ref prefix of this frame (`` for the tab's top frame, `f2` for another). */
  prefix: string;
  /** The first ref number free in this tab: refs are never reused, so an old one can only be stale. */
  nextRef: number;
  interactiveOnly: boolean;
  /** Levels of the tree shown; deeper nodes are left out. */
  depth: number;
  selector: string | null;
  /** Characters to stop at. */
  budget: number;
}

export interface SnapshotFrameResult {
  lines: string[];
  nextRef: number;
  /** `contentWindow` of each iframe, in the order of their `- frame#i` placeholders (BiDi answers their context ids). */
  frames: unknown[];
  truncated: boolean;
  url: string;
  title: string;
  error?: string;
}

export function snapshotFrame(request: SnapshotRequest): SnapshotFrameResult {
  type Node =
    | { kind: 'text'; text: string }
    | {
        kind: 'el';
        role: string;
        name: string;
        props: string[];
        value?: string;
        ref?: string;
        url?: string;
        frame?: number;
        children: Node[];
      };
  interface RefState {
    byRef: Map<string, WeakRef<Element>>;
    byElement: WeakMap<Element, string>;
  }
  const scope = globalThis as unknown as { __cosRefs?: RefState };
  const state: RefState = scope.__cosRefs ?? (scope.__cosRefs = { byRef: new Map(), byElement: new WeakMap() });
  for (const [ref, weak] of state.byRef) {
    const element = weak.deref();
    if (!element || !element.isConnected) state.byRef.delete(ref);
  }
  let nextRef = request.nextRef;
  const frames: unknown[] = [];
  const NAME_MAX = 150;
  const VALUE_MAX = 200;
  const OPTIONS_SHOWN = 25;
  const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head', 'meta', 'link', 'title', 'base']);
  const INTERACTIVE = new Set([
    'button',
    'link',
    'textbox',
    'searchbox',
    'checkbox',
    'radio',
    'combobox',
    'listbox',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'option',
    'tab',
    'switch',
    'slider',
    'spinbutton',
    'treeitem',
    'clickable',
  ]);
  const FROM_CONTENT = new Set([
    'button',
    'link',
    'heading',
    'cell',
    'columnheader',
    'rowheader',
    'checkbox',
    'radio',
    'tab',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'option',
    'treeitem',
    'switch',
    'tooltip',
    'caption',
    'legend',
    'clickable',
  ]);
  const ARIA_ROLES = new Set([
    'alert',
    'alertdialog',
    'application',
    'article',
    'banner',
    'blockquote',
    'button',
    'caption',
    'cell',
    'checkbox',
    'code',
    'columnheader',
    'combobox',
    'complementary',
    'contentinfo',
    'definition',
    'dialog',
    'directory',
    'document',
    'feed',
    'figure',
    'form',
    'grid',
    'gridcell',
    'group',
    'heading',
    'img',
    'link',
    'list',
    'listbox',
    'listitem',
    'log',
    'main',
    'marquee',
    'math',
    'menu',
    'menubar',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'meter',
    'navigation',
    'note',
    'option',
    'paragraph',
    'progressbar',
    'radio',
    'radiogroup',
    'region',
    'row',
    'rowgroup',
    'rowheader',
    'scrollbar',
    'search',
    'searchbox',
    'separator',
    'slider',
    'spinbutton',
    'status',
    'switch',
    'tab',
    'table',
    'tablist',
    'tabpanel',
    'term',
    'textbox',
    'timer',
    'toolbar',
    'tooltip',
    'tree',
    'treegrid',
    'treeitem',
  ]);
  const TAG_ROLES: Record<string, string> = {
    article: 'article',
    aside: 'complementary',
    blockquote: 'blockquote',
    button: 'button',
    code: 'code',
    dd: 'definition',
    dialog: 'dialog',
    dt: 'term',
    details: 'group',
    fieldset: 'group',
    figure: 'figure',
    h1: 'heading',
    h2: 'heading',
    h3: 'heading',
    h4: 'heading',
    h5: 'heading',
    h6: 'heading',
    hr: 'separator',
    iframe: 'iframe',
    li: 'listitem',
    main: 'main',
    menu: 'list',
    meter: 'meter',
    nav: 'navigation',
    ol: 'list',
    optgroup: 'group',
    option: 'option',
    p: 'paragraph',
    progress: 'progressbar',
    search: 'search',
    summary: 'button',
    table: 'table',
    textarea: 'textbox',
    tr: 'row',
    ul: 'list',
  };
  const INPUT_ROLES: Record<string, string> = {
    button: 'button',
    submit: 'button',
    reset: 'button',
    image: 'button',
    file: 'button',
    checkbox: 'checkbox',
    radio: 'radio',
    range: 'slider',
    number: 'spinbutton',
    search: 'searchbox',
  };

  const clean = (text: string) => text.replace(/[\s\u00a0]+/g, ' ').trim();
  const cap = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const styleOf = (element: Element) => window.getComputedStyle(element);

  function refOf(element: Element): string {
    const known = state.byElement.get(element);
    if (known && state.byRef.has(known)) return known;
    const ref = `${request.prefix}e${nextRef++}`;
    state.byElement.set(element, ref);
    state.byRef.set(ref, new WeakRef(element));
    return ref;
  }

  function sectioned(element: Element): boolean {
    for (let up = element.parentElement; up; up = up.parentElement) {
      if (['article', 'aside', 'main', 'nav', 'section'].includes(up.localName)) return true;
    }
    return false;
  }

  function roleOf(element: Element, tag: string): string | null {
    const explicit = (element.getAttribute('role') ?? '')
      .trim()
      .toLowerCase()
      .split(/\s+/)
      .find((r) => ARIA_ROLES.has(r) || r === 'none' || r === 'presentation');
    if (explicit) return explicit === 'none' || explicit === 'presentation' ? null : explicit;
    if (tag === 'a' || tag === 'area') return element.hasAttribute('href') ? 'link' : null;
    if (tag === 'input') {
      const type = ((element as HTMLInputElement).type || 'text').toLowerCase();
      if (type === 'hidden') return null;
      if (INPUT_ROLES[type]) return INPUT_ROLES[type];
      return element.hasAttribute('list') ? 'combobox' : 'textbox';
    }
    if (tag === 'select') {
      const select = element as HTMLSelectElement;
      return select.multiple || select.size > 1 ? 'listbox' : 'combobox';
    }
    if (tag === 'img') return element.getAttribute('alt') === '' ? null : 'img';
    if (tag === 'svg') return element.hasAttribute('aria-label') || element.querySelector('title') ? 'img' : null;
    if (tag === 'header') return sectioned(element) ? null : 'banner';
    if (tag === 'footer') return sectioned(element) ? null : 'contentinfo';
    if (tag === 'section') return element.hasAttribute('aria-label') || element.hasAttribute('aria-labelledby') ? 'region' : null;
    if (tag === 'form')
      return element.hasAttribute('aria-label') || element.hasAttribute('aria-labelledby') || element.hasAttribute('name') ? 'form' : null;
    if (tag === 'td') return element.closest('table[role=grid], table[role=treegrid]') ? 'gridcell' : 'cell';
    if (tag === 'th') {
      const scope = element.getAttribute('scope');
      if (scope === 'row' || scope === 'rowgroup') return 'rowheader';
      return element.closest('thead') || scope === 'col' || !element.parentElement?.querySelector('td') ? 'columnheader' : 'rowheader';
    }
    if ((element as HTMLElement).isContentEditable && !element.parentElement?.isContentEditable) return 'textbox';
    return TAG_ROLES[tag] ?? null;
  }

  /** Text of a node for a name: its visible text, images by their alt, controls left out. */
  function textOf(node: globalThis.Node, skip: Element | null): string {
    if (node.nodeType === 3) return node.textContent ?? '';
    if (node.nodeType !== 1) return '';
    const element = node as Element;
    if (element === skip || SKIPPED.has(element.localName) || element.getAttribute('aria-hidden') === 'true') return '';
    if (['input', 'select', 'textarea'].includes(element.localName)) return '';
    const label = element.getAttribute('aria-label');
    if (label && label.trim()) return ` ${label} `;
    if (element.localName === 'img') return ` ${element.getAttribute('alt') ?? ''} `;
    let out = '';
    for (const child of Array.from(element.childNodes)) out += textOf(child, skip);
    return styleOf(element).display.startsWith('inline') ? out : ` ${out} `;
  }

  function labelledBy(element: Element): string | null {
    const ids = element.getAttribute('aria-labelledby');
    if (!ids) return null;
    const root = element.getRootNode() as Document | ShadowRoot;
    const parts = ids
      .split(/\s+/)
      .map((id) => root.getElementById?.(id) ?? element.ownerDocument.getElementById(id))
      .filter((e): e is HTMLElement => e !== null)
      .map((e) => clean(e.getAttribute('aria-label') || textOf(e, null)));
    const name = clean(parts.join(' '));
    return name || null;
  }

  /** The accessible name from the element itself; null when it comes from content. */
  function ownName(element: Element, tag: string, role: string): string | null {
    const byIds = labelledBy(element);
    if (byIds) return byIds;
    const label = element.getAttribute('aria-label');
    if (label && label.trim()) return clean(label);
    if (tag === 'input' || tag === 'select' || tag === 'textarea' || tag === 'meter' || tag === 'progress') {
      const input = element as HTMLInputElement;
      const type = (input.type || '').toLowerCase();
      if (tag === 'input' && ['button', 'submit', 'reset'].includes(type)) {
        return clean(input.value) || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : '');
      }
      if (tag === 'input' && type === 'image') return clean(element.getAttribute('alt') ?? '') || 'Submit';
      const labels = input.labels
        ? Array.from(input.labels)
            .map((l) => clean(textOf(l, element)))
            .filter(Boolean)
        : [];
      if (labels.length > 0) return labels.join(' ');
      return clean(element.getAttribute('title') ?? '') || clean(element.getAttribute('placeholder') ?? '');
    }
    if (tag === 'img' || tag === 'area') return clean(element.getAttribute('alt') ?? '') || clean(element.getAttribute('title') ?? '');
    if (tag === 'svg') return clean(element.querySelector('title')?.textContent ?? '');
    if (tag === 'fieldset') return clean(element.querySelector(':scope > legend')?.textContent ?? '') || '';
    if (tag === 'table') return clean(element.querySelector(':scope > caption')?.textContent ?? '') || '';
    if (tag === 'figure') return clean(element.querySelector(':scope > figcaption')?.textContent ?? '') || '';
    if (tag === 'iframe') return clean(element.getAttribute('title') ?? '') || '';
    if (FROM_CONTENT.has(role)) return null;
    return clean(element.getAttribute('title') ?? '') || '';
  }

  function nameFromChildren(children: Node[]): string {
    return clean(children.map((c) => (c.kind === 'text' ? c.text : c.name || nameFromChildren(c.children))).join(' '));
  }

  function states(element: Element, tag: string, role: string): string[] {
    const props: string[] = [];
    const aria = (name: string) => element.getAttribute(`aria-${name}`);
    if (role === 'heading') {
      const level = Number(aria('level')) || Number(/^h([1-6])$/.exec(tag)?.[1] ?? 2);
      props.push(`level=${level}`);
    }
    if (role === 'checkbox' || role === 'radio' || role === 'switch' || role === 'menuitemcheckbox' || role === 'menuitemradio') {
      const input = element as HTMLInputElement;
      const checked =
        tag === 'input'
          ? input.indeterminate
            ? 'mixed'
            : input.checked
          : aria('checked') === 'mixed'
            ? 'mixed'
            : aria('checked') === 'true';
      if (checked === 'mixed') props.push('checked=mixed');
      else if (checked) props.push('checked');
    }
    if (aria('pressed') === 'true') props.push('pressed');
    if (aria('expanded') === 'true') props.push('expanded');
    if (aria('selected') === 'true' || (tag === 'option' && (element as HTMLOptionElement).selected)) props.push('selected');
    const disabled = (element as HTMLButtonElement).disabled === true || element.matches(':disabled') || aria('disabled') === 'true';
    if (disabled) props.push('disabled');
    if ((element as HTMLInputElement).required === true || aria('required') === 'true') props.push('required');
    return props;
  }

  function valueOf(element: Element, tag: string, role: string): string | undefined {
    if (tag === 'input' || tag === 'textarea') {
      const input = element as HTMLInputElement;
      const type = (input.type || '').toLowerCase();
      if (['checkbox', 'radio', 'button', 'submit', 'reset', 'image'].includes(type)) return undefined;
      if (type === 'file')
        return input.files && input.files.length > 0
          ? Array.from(input.files)
              .map((f) => f.name)
              .join(', ')
          : undefined;
      if (type === 'password') return input.value ? '••••••' : undefined;
      return input.value ? cap(input.value, VALUE_MAX) : undefined;
    }
    if (tag === 'select') {
      const chosen = Array.from((element as HTMLSelectElement).selectedOptions).map((o) => clean(o.label || o.text));
      return chosen.length > 0 ? cap(chosen.join(', '), VALUE_MAX) : undefined;
    }
    if (tag === 'progress' || tag === 'meter') return String((element as HTMLProgressElement).value);
    if (role === 'slider' || role === 'spinbutton' || role === 'progressbar' || role === 'meter') {
      return element.getAttribute('aria-valuetext') ?? element.getAttribute('aria-valuenow') ?? undefined;
    }
    return undefined;
  }

  function urlOf(element: Element): string | undefined {
    const href = (element as HTMLAnchorElement).href;
    if (typeof href !== 'string' || !href || href.startsWith('javascript:')) return undefined;
    try {
      const url = new URL(href);
      const shown = url.origin === location.origin ? `${url.pathname}${url.search}${url.hash}` : href;
      return cap(shown, VALUE_MAX);
    } catch {
      return undefined;
    }
  }

  /** The nodes a node is shown as: its own, or its children's when it has no role of its own. */
  function walk(node: globalThis.Node, shown: boolean, parentCursor: string): Node[] {
    if (node.nodeType === 3) {
      const text = shown ? clean(node.textContent ?? '') : '';
      return text ? [{ kind: 'text', text }] : [];
    }
    if (node.nodeType !== 1) return [];
    const element = node as Element;
    const tag = element.localName;
    if (SKIPPED.has(tag) || element.getAttribute('aria-hidden') === 'true') return [];
    // A legend, caption or figcaption names its group, table or figure: said once, on the parent's line.
    const parent = element.parentElement;
    if (
      parent &&
      ((tag === 'legend' && parent.localName === 'fieldset') ||
        (tag === 'caption' && parent.localName === 'table') ||
        (tag === 'figcaption' && parent.localName === 'figure')) &&
      !parent.hasAttribute('aria-label') &&
      !parent.hasAttribute('aria-labelledby')
    ) {
      return [];
    }
    const style = styleOf(element);
    if (style.display === 'none') return [];
    const visible = style.visibility === 'visible';
    const cursor = style.cursor;
    let role = roleOf(element, tag);
    if (!role && visible && cursor === 'pointer' && parentCursor !== 'pointer' && element.localName !== 'label') role = 'clickable';
    if (!role && visible && (element as HTMLElement).tabIndex >= 0 && element.hasAttribute('tabindex')) role = 'clickable';
    let children: Node[] = [];
    if (tag === 'iframe') {
      const win = (element as HTMLIFrameElement).contentWindow;
      if (win && visible) {
        frames.push(win);
        return [
          {
            kind: 'el',
            role: 'iframe',
            name: ownName(element, tag, 'iframe') ?? '',
            props: [],
            ref: refOf(element),
            frame: frames.length - 1,
            children: [],
          },
        ];
      }
      return [];
    }
    if (tag === 'select') {
      const options = Array.from((element as HTMLSelectElement).options);
      children = options.slice(0, OPTIONS_SHOWN).map((o) => ({
        kind: 'el' as const,
        role: 'option',
        name: cap(clean(o.label || o.text), NAME_MAX),
        props: o.selected ? ['selected'] : [],
        children: [],
      }));
      if (options.length > OPTIONS_SHOWN) children.push({ kind: 'text', text: `… ${options.length - OPTIONS_SHOWN} more options` });
    } else if (tag !== 'textarea') {
      const shadow = (element as HTMLElement).shadowRoot;
      let kids: globalThis.Node[];
      if (shadow) kids = Array.from(shadow.childNodes);
      else if (tag === 'slot') {
        const assigned = (element as HTMLSlotElement).assignedNodes({ flatten: true });
        kids = assigned.length > 0 ? assigned : Array.from(element.childNodes);
      } else kids = Array.from(element.childNodes);
      for (const kid of kids) {
        for (const built of walk(kid, visible, cursor)) {
          const last = children[children.length - 1];
          if (built.kind === 'text' && last?.kind === 'text') last.text = `${last.text} ${built.text}`;
          else children.push(built);
        }
      }
    }
    // A label's words are its control's name, already on the control's line.
    if (tag === 'label' && (element as HTMLLabelElement).control) children = children.filter((c) => c.kind !== 'text');
    if (!role || !visible) return children;
    // A list item that holds one element says nothing the list does not: the element stands in its place.
    if (role === 'listitem' && children.length === 1 && children[0].kind === 'el' && !element.hasAttribute('aria-label')) return children;
    const own = ownName(element, tag, role);
    const fromContent = own === null;
    const name = cap(own ?? nameFromChildren(children), NAME_MAX);
    // An image's content is presentational: its name says it.
    if (role === 'img') children = [];
    // A name read from the content says what the content said: the text is not repeated beneath it.
    if (fromContent && children.every((c) => c.kind === 'text' || !INTERACTIVE.has(c.role))) children = [];
    const built: Node = { kind: 'el', role, name, props: states(element, tag, role), children };
    const value = valueOf(element, tag, role);
    if (value !== undefined) built.value = value;
    // A node with nothing to say (an empty paragraph, a nameless image) is left out.
    if (!name && children.length === 0 && value === undefined && !INTERACTIVE.has(role) && role !== 'separator') return [];
    if (role === 'link') built.url = urlOf(element);
    if (INTERACTIVE.has(role)) built.ref = refOf(element);
    return [built];
  }

  const needsQuotes = (text: string) =>
    /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(text) ||
    /: |\s#|[\n\r\t]|:$/.test(text) ||
    /^(true|false|null|yes|no|on|off|~|[-+]?\d[\d.,e]*)$/i.test(text);
  const scalar = (text: string) => (needsQuotes(text) ? JSON.stringify(text) : text);

  const lines: string[] = [];
  let size = 0;
  let truncated = false;
  function emit(indent: number, text: string): boolean {
    if (truncated) return false;
    const line = `${'  '.repeat(indent)}- ${text}`;
    if (size + line.length + 1 > request.budget) {
      truncated = true;
      return false;
    }
    lines.push(line);
    size += line.length + 1;
    return true;
  }

  function head(node: Extract<Node, { kind: 'el' }>): string {
    let text = node.role;
    if (node.name) text += ` ${JSON.stringify(node.name)}`;
    for (const prop of node.props) text += ` [${prop}]`;
    if (node.ref) text += ` [ref=${node.ref}]`;
    return text;
  }

  function write(nodes: Node[], indent: number): void {
    for (const node of nodes) {
      if (truncated) return;
      if (node.kind === 'text') {
        emit(indent, `text: ${scalar(node.text)}`);
        continue;
      }
      const line = head(node);
      const nested = node.children.length > 0 || node.url !== undefined || node.frame !== undefined;
      if (node.frame !== undefined && indent + 1 < request.depth) {
        if (emit(indent, `${line}:`)) emit(indent + 1, `frame#${node.frame}`);
      } else if (node.url !== undefined && node.children.length === 0 && node.value === undefined) {
        // A link with nothing inside but its name: its address is its value, on its own line.
        emit(indent, `${line}: ${scalar(node.url)}`);
      } else if (!nested || indent + 1 >= request.depth) {
        emit(indent, node.value !== undefined ? `${line}: ${scalar(node.value)}` : line);
      } else if (node.children.length === 1 && node.children[0].kind === 'text' && node.url === undefined && node.value === undefined) {
        emit(indent, `${line}: ${scalar(node.children[0].text)}`);
      } else {
        if (!emit(indent, node.value !== undefined ? `${line}: ${scalar(node.value)}` : `${line}:`)) return;
        if (node.url !== undefined) emit(indent + 1, `/url: ${scalar(node.url)}`);
        write(node.children, indent + 1);
      }
    }
  }

  /** Interactive-only: every node with a ref, in document order, frames kept as groups. */
  function flatten(nodes: Node[], out: Node[]): Node[] {
    for (const node of nodes) {
      if (node.kind === 'text') continue;
      if (node.ref) out.push({ ...node, url: undefined, children: node.frame !== undefined ? [] : [] });
      if (node.frame === undefined) flatten(node.children, out);
    }
    return out;
  }

  let roots: globalThis.Node[];
  if (request.selector) {
    let found: Element | null;
    try {
      found = document.querySelector(request.selector);
    } catch {
      return {
        lines: [],
        nextRef,
        frames,
        truncated: false,
        url: location.href,
        title: document.title,
        error: 'selector is not a valid CSS selector',
      };
    }
    if (!found)
      return {
        lines: [],
        nextRef,
        frames,
        truncated: false,
        url: location.href,
        title: document.title,
        error: 'no element matches selector',
      };
    roots = [found];
  } else roots = document.body ? [document.body] : document.documentElement ? [document.documentElement] : [];
  const tree = roots.flatMap((root) => walk(root, true, 'auto'));
  write(request.interactiveOnly ? flatten(tree, []) : tree, 0);
  return { lines, nextRef, frames, truncated, url: location.href, title: document.title };
}
