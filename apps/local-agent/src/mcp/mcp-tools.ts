/**
 * Long: one registration per MCP tool (about thirty), each a few lines of schema and a call into the
 * services that do the work; splitting them by theme would scatter the one list clients see.
 */
import { Injectable } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DomainError, resolveWindowRef } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { AgentCloud } from '../cloud/agent-cloud';
import { AgentConfig } from '../config/agent-config';
import { BrowserWindowsService } from '../browser/browser-windows.service';
import { PageInspection } from '../inspect/page-inspection';
import { PageRecords } from '../inspect/page-records';
import { SNAPSHOT_CHARS_MAX, SNAPSHOT_DEPTH_MAX } from '../inspect/snapshots';
import { ActRequest } from '../inspect/element-actions';
import type { ConsoleEntry, ErrorEntry, NetworkEntry } from '../inspect/tab-state';

type Answer = string | CallToolResult;

const ACTION_TIMEOUT_MS = 5_000;
const NAVIGATE_TIMEOUT_MS = 60_000;
/** Characters per token, the usual rough measure for English and markup. */
const CHARS_PER_TOKEN = 4;
/** What Firefox says a request was for, when it fetched a page's resources rather than data. */
const STATIC_TYPES = new Set([
  'img',
  'image',
  'imageset',
  'font',
  'style',
  'css',
  'link',
  'script',
  'audio',
  'video',
  'track',
  'media',
  'icon',
]);

const window = z.union([z.string(), z.number().int()]).describe('The window: its uuid, or its id');
const element = z.string().describe('Human-readable description of the element, for the record');
const ref = z.string().describe('The element’s ref from the page snapshot (e12, f1e7)');

/** `12` and `"12"` are ids, anything else a uuid, checked as the Local API checks its aliases. */
function windowRef(value: string | number): WindowRef {
  return resolveWindowRef(typeof value === 'number' || /^\d+$/.test(value) ? { id: value } : { uuid: value });
}

/**
 * (Past 300 lines because it is the one list of tools a client sees, each a few lines over the
 * inspection services; split, the list could drift from what the README and llms.txt name.)
 *
 * The agent's MCP tools: the signed-in member's windows (list, create, open, close, as the cloud
 * allows them), and page tools named and shaped as Playwright MCP's, each taking the window so one
 * server drives many. Every answer is cut at AGENT_MCP_MAX_TOKENS' worth of characters, with a note.
 */
@Injectable()
export class McpTools {
  constructor(
    private readonly pages: PageInspection,
    private readonly records: PageRecords,
    private readonly windows: BrowserWindowsService,
    private readonly cloud: AgentCloud,
    private readonly config: AgentConfig,
  ) {}

  /** A server with every tool, for one connection (the HTTP endpoint makes one per request). */
  server(): McpServer {
    const server = new McpServer({ name: 'cos-agent', version: this.config.version });
    // The SDK types each callback from its schema through its own zod compatibility layer; the
    // arguments are inferred here from the same schema instead.
    const register = server.registerTool.bind(server) as (
      name: string,
      config: { description: string; inputSchema: z.ZodRawShape },
      callback: (args: unknown) => Promise<CallToolResult>,
    ) => unknown;
    const tool = <S extends z.ZodRawShape>(
      name: string,
      description: string,
      shape: S,
      work: (args: z.infer<z.ZodObject<S>>) => Promise<Answer>,
    ) => register(name, { description, inputSchema: shape }, (args) => this.answer(() => work(args as z.infer<z.ZodObject<S>>)));

    tool(
      'windows_list',
      "Lists the team's windows the signed-in member may see",
      {
        page: z.number().int().min(1).optional(),
        pageSize: z.number().int().min(1).max(100).optional(),
        keyword: z.string().max(100).optional(),
      },
      async (args) => {
        const list = await this.cloud.data<{ list: { id: number; uuid: string; name: string; openStatus?: string }[]; total: number }>(
          '/browser/list',
          args,
        );
        const lines = list.list.map(
          (w) => `- ${JSON.stringify(w.name)} id=${w.id} uuid=${w.uuid}${w.openStatus ? ` ${w.openStatus}` : ''}`,
        );
        return `${list.total} window(s)${lines.length ? `:\n${lines.join('\n')}` : ''}`;
      },
    );
    tool(
      'windows_create',
      'Creates a window (a new browser identity) in the team',
      { name: z.string().min(1).max(100), remark: z.string().max(1000).optional() },
      async (args) => {
        const created = await this.cloud.data<{ id: number; uuid: string }>('/browser/update', args);
        return `Created window ${JSON.stringify(args.name)} id=${created.id} uuid=${created.uuid}`;
      },
    );
    tool('windows_open', 'Opens a window on this desktop (its own Firefox profile, fingerprint and proxy)', { window }, async (args) => {
      const opened = await this.windows.open(windowRef(args.window));
      return `Window ${opened.uuid} is ${opened.alreadyStarted ? 'already open' : 'open'} (pid ${opened.pid})`;
    });
    tool('windows_close', 'Closes a window running on this desktop; its profile syncs to the cloud', { window }, async (args) => {
      const closed = await this.windows.close(windowRef(args.window));
      return `Window ${closed.uuid} closed`;
    });

    tool('browser_navigate', 'Navigate to a URL', { window, url: z.string() }, async (args) => {
      const body = windowRef(args.window);
      await this.pages.navigate(body, undefined, args.url, NAVIGATE_TIMEOUT_MS);
      return this.pageState(body, `Navigated to ${args.url}`, false);
    });
    tool(
      'browser_snapshot',
      'Capture an accessibility snapshot of the current page; refs in it name elements for the other tools',
      {
        window,
        interactiveOnly: z.boolean().optional().describe('Only elements that can be acted on'),
        selector: z.string().max(1000).optional().describe('CSS selector of the part of the page to show'),
        depth: z.number().int().min(1).max(SNAPSHOT_DEPTH_MAX).optional(),
      },
      async (args) => {
        const s = await this.pages.snapshot(windowRef(args.window), undefined, {
          interactiveOnly: args.interactiveOnly ?? false,
          depth: args.depth ?? SNAPSHOT_DEPTH_MAX,
          selector: args.selector ?? null,
          maxChars: this.maxChars,
          delta: false,
        });
        return `### Page\n- URL: ${s.url}\n- Title: ${s.title}\n### Snapshot\n\`\`\`yaml\n${s.snapshot}\n\`\`\`${s.truncated ? '\n(snapshot cut; ask for interactiveOnly, a selector or less depth)' : ''}`;
      },
    );
    tool(
      'browser_click',
      'Perform click on a web page',
      {
        window,
        element,
        ref,
        doubleClick: z.boolean().optional(),
        button: z.enum(['left', 'right', 'middle']).optional(),
        modifiers: z.array(z.enum(['Alt', 'Control', 'ControlOrMeta', 'Meta', 'Shift'])).optional(),
      },
      async (args) =>
        this.act(args.window, `Clicked ${args.element}`, {
          ref: args.ref,
          action: args.doubleClick ? 'dblclick' : 'click',
          button: args.button,
          modifiers: args.modifiers,
        }),
    );
    tool('browser_hover', 'Hover over element on page', { window, element, ref }, async (args) =>
      this.act(args.window, `Hovered ${args.element}`, { ref: args.ref, action: 'hover' }),
    );
    tool(
      'browser_drag',
      'Perform drag and drop between two elements',
      {
        window,
        startElement: element,
        startRef: ref,
        endElement: element,
        endRef: ref,
      },
      async (args) =>
        this.act(args.window, `Dragged ${args.startElement} to ${args.endElement}`, {
          ref: args.startRef,
          action: 'drag',
          to: { ref: args.endRef },
        }),
    );
    tool(
      'browser_type',
      'Type text into editable element',
      {
        window,
        element,
        ref,
        text: z.string(),
        submit: z.boolean().optional().describe('Press Enter after'),
        slowly: z.boolean().optional().describe('Type one character at a time (key handlers see each key); else fill at once'),
      },
      async (args) =>
        this.act(args.window, `Typed into ${args.element}`, {
          ref: args.ref,
          action: args.slowly ? 'type' : 'fill',
          text: args.text,
          submit: args.submit,
        }),
    );
    tool(
      'browser_fill_form',
      'Fill multiple form fields',
      {
        window,
        fields: z
          .array(
            z.object({
              name: z.string().describe('Human-readable field name'),
              type: z.enum(['textbox', 'checkbox', 'radio', 'combobox', 'slider']),
              ref,
              value: z.string().describe('Text; "true"/"false" for a checkbox or radio; the option for a combobox'),
            }),
          )
          .min(1)
          .max(100),
      },
      async (args) => {
        const body = windowRef(args.window);
        const fields = args.fields.map((f) => ({
          ref: f.ref,
          value: f.type === 'checkbox' || f.type === 'radio' ? f.value === 'true' : f.value,
        }));
        await this.pages.fill(body, undefined, fields, ACTION_TIMEOUT_MS);
        return this.pageState(body, `Filled ${args.fields.map((f) => f.name).join(', ')}`, true);
      },
    );
    tool(
      'browser_select_option',
      'Select an option in a dropdown',
      { window, element, ref, values: z.array(z.string()).min(1).max(100) },
      async (args) =>
        this.act(args.window, `Selected ${args.values.join(', ')} in ${args.element}`, {
          ref: args.ref,
          action: 'select',
          values: args.values,
        }),
    );
    tool(
      'browser_press_key',
      'Press a key on the keyboard (ArrowLeft, Enter, a, Control+A)',
      { window, key: z.string().min(1).max(100) },
      async (args) => {
        const body = windowRef(args.window);
        await this.records.keyboard(body, undefined, 'press', args.key);
        return this.pageState(body, `Pressed ${args.key}`, true);
      },
    );
    tool(
      'browser_wait_for',
      'Wait for text to appear or disappear or a specified time to pass',
      {
        window,
        time: z.number().min(0).max(60).optional().describe('Seconds'),
        text: z.string().max(10_000).optional(),
        textGone: z.string().max(10_000).optional(),
      },
      async (args) => {
        const body = windowRef(args.window);
        await this.pages.waitFor(body, undefined, { seconds: args.time, text: args.text, textGone: args.textGone }, 30_000);
        return this.pageState(body, 'Waited', true);
      },
    );
    tool(
      'browser_take_screenshot',
      'Take a screenshot of the current page or of one element',
      {
        window,
        type: z.enum(['png', 'jpeg']).optional(),
        element: element.optional(),
        ref: ref.optional(),
        fullPage: z.boolean().optional(),
      },
      async (args) => {
        const shot = await this.pages.screenshot(windowRef(args.window), undefined, args.type ?? 'png', args.fullPage ?? false, args.ref);
        if (shot.data.length > this.maxChars) {
          return `The screenshot is ${shot.data.length} characters of base64, more than this server answers (${this.maxChars}); take a jpeg, the viewport or one element`;
        }
        return { content: [{ type: 'image', data: shot.data, mimeType: `image/${shot.format}` }] };
      },
    );
    tool(
      'browser_console_messages',
      'Returns the console messages and page errors of the page',
      {
        window,
        level: z.enum(['error', 'warning', 'info', 'debug']).optional().describe('The least severe level shown (default info)'),
      },
      async (args) => {
        const logs = (await this.records.logs(windowRef(args.window), undefined, ['console', 'errors'], 0, 10_000, false)) as unknown as {
          console: { entries: ConsoleEntry[] };
          errors: { entries: ErrorEntry[] };
        };
        const rank: Record<string, number> = { error: 3, warn: 2, warning: 2, info: 1, log: 1, debug: 0, trace: 0 };
        const least = rank[args.level ?? 'info'];
        const lines = [
          ...logs.console.entries
            .filter((e) => (rank[e.level] ?? 1) >= least)
            .map((e) => ({ at: e.at, line: `[${e.level}] ${e.text}${e.source ? ` @ ${e.source}` : ''}` })),
          ...logs.errors.entries.map((e) => ({ at: e.at, line: `[pageerror] ${e.text}` })),
        ].sort((a, b) => a.at - b.at);
        return lines.length ? lines.map((l) => l.line).join('\n') : 'No console messages';
      },
    );
    tool(
      'browser_network_requests',
      'Returns the network requests since loading the page',
      {
        window,
        includeStatic: z.boolean().optional().describe('Include images, fonts, scripts and styles (default false)'),
      },
      async (args) => {
        const logs = (await this.records.logs(windowRef(args.window), undefined, ['network'], 0, 10_000, false)) as unknown as {
          network: { entries: NetworkEntry[] };
        };
        const lines = logs.network.entries
          .filter((e) => args.includeStatic || !STATIC_TYPES.has(e.type ?? ''))
          .map((e) => {
            const outcome = e.error
              ? `[failed] ${e.error}`
              : e.status === null
                ? '[pending]'
                : `[${e.status}] ${e.statusText ?? ''}`.trim();
            return `[${e.method}] ${e.url} => ${outcome}`;
          });
        return lines.length ? lines.join('\n') : 'No requests';
      },
    );
    tool(
      'browser_tabs',
      'List, create, close, or select a browser tab',
      {
        window,
        action: z.enum(['list', 'new', 'close', 'select']),
        index: z.number().int().min(0).optional(),
      },
      async (args) => {
        const tabs = await this.pages.tabs(windowRef(args.window), args.action, args.index);
        return tabs.tabs.map((t) => `- ${t.index}:${t.selected ? ' (current)' : ''} [${t.title}] (${t.url})`).join('\n');
      },
    );
    tool(
      'browser_evaluate',
      'Evaluate a JavaScript expression on the page or an element',
      {
        window,
        function: z.string().min(1).max(1_000_000).describe('() => { /* code */ } or (element) => { /* code */ } when an element is given'),
        element: element.optional(),
        ref: ref.optional(),
      },
      async (args) => {
        const result = await this.pages.evaluate(windowRef(args.window), undefined, args.function, args.ref, 30_000);
        return `### Result\n${JSON.stringify(result.value, null, 2) ?? 'undefined'}`;
      },
    );
    tool(
      'browser_handle_dialog',
      'Handle a dialog left open (dialog policy manual)',
      { window, accept: z.boolean(), promptText: z.string().max(10_000).optional() },
      async (args) => {
        const body = windowRef(args.window);
        await this.records.handleDialog(body, undefined, args.accept, args.promptText);
        return this.pageState(body, `${args.accept ? 'Accepted' : 'Dismissed'} the dialog`, true);
      },
    );
    return server;
  }

  private get maxChars(): number {
    return Math.min(SNAPSHOT_CHARS_MAX, this.config.env.AGENT_MCP_MAX_TOKENS * CHARS_PER_TOKEN);
  }

  private async act(win: string | number, done: string, request: Omit<ActRequest, 'timeoutMs'>): Promise<string> {
    const body = windowRef(win);
    const result = await this.pages.act(body, undefined, { ...request, timeoutMs: ACTION_TIMEOUT_MS });
    const dialog =
      'dialog' in result && result.dialog ? `\nA ${result.dialog.type} dialog is open: ${JSON.stringify(result.dialog.message)}` : '';
    return this.pageState(body, done + dialog, true);
  }

  /** The result, the page's address and title, and its snapshot: after an action only what changed. */
  private async pageState(body: WindowRef, result: string, delta: boolean): Promise<string> {
    const s = await this.pages.snapshot(body, undefined, {
      interactiveOnly: false,
      depth: SNAPSHOT_DEPTH_MAX,
      selector: null,
      maxChars: this.maxChars,
      delta,
    });
    const heading = s.delta
      ? `### Snapshot: what changed since the last one (${s.delta.changed} line(s) changed, ${s.delta.removedCount} removed)`
      : '### Snapshot';
    const removed = s.delta && s.delta.removed.length ? `\nRemoved:\n${s.delta.removed.map((l) => `  ${l}`).join('\n')}` : '';
    return `### Result\n${result}\n### Page\n- URL: ${s.url}\n- Title: ${s.title}\n${heading}\n\`\`\`yaml\n${s.snapshot}\n\`\`\`${removed}`;
  }

  /** Runs a tool; a refusal is the tool's error answer, never the connection's. */
  private async answer(work: () => Promise<Answer>): Promise<CallToolResult> {
    try {
      const result = await work();
      if (typeof result !== 'string') return result;
      return { content: [{ type: 'text', text: this.cap(result) }] };
    } catch (error) {
      const text = error instanceof DomainError ? `Error ${error.code}: ${error.message}` : `Error: ${(error as Error).message}`;
      return { content: [{ type: 'text', text: this.cap(text) }], isError: true };
    }
  }

  private cap(text: string): string {
    const max = this.maxChars;
    if (text.length <= max) return text;
    const note = `\n\n[Answer cut: ${text.length} characters, more than the ${max} (about ${this.config.env.AGENT_MCP_MAX_TOKENS} tokens) this server answers. Ask for less: a selector, interactiveOnly or depth.]`;
    return text.slice(0, max - note.length) + note;
  }
}
