import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, InvalidParamError, PageActionError } from '@cos/contracts';
import type { WindowRef } from '@cos/contracts';
import { RunningWindows } from '../browser/running-windows';
import { checkUrl } from '../automation/page-steps';
import { act, ActRequest, frameOf, frameOrigin, onElement } from './element-actions';
import { hasText, pageTitle } from './page-functions';
import { RemoteNode, toPlain } from './remote-value';
import { takeSnapshot, SnapshotOptions } from './snapshots';
import { TabState } from './tab-state';
import { InspectedWindow, WindowInspectors } from './window-inspectors';

export const GETTERS = ['text', 'html', 'value', 'attribute', 'count', 'visible', 'enabled', 'checked', 'editable', 'box'] as const;
export type Getter = (typeof GETTERS)[number];
export const TAB_ACTIONS = ['list', 'new', 'select', 'close'] as const;
export type TabAction = (typeof TAB_ACTIONS)[number];

export interface UploadFile {
  name: string;
  data: string;
}

export interface FillField {
  ref?: string;
  selector?: string;
  value: string | boolean;
}

/** Upload folders kept per window: the page may read a chosen file long after it was chosen. */
const UPLOADS_KEPT = 10;

/**
 * Snapshots, actions by ref or selector, getters, tabs, and the page calls the MCP tools need,
 * on a running window's tab (the one given, else the selected one) through its inspector.
 */
@Injectable()
export class PageInspection {
  constructor(
    private readonly inspectors: WindowInspectors,
    private readonly windows: RunningWindows,
  ) {}

  snapshot(windowRef: WindowRef, tabIndex: number | undefined, options: SnapshotOptions) {
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      const snapshot = await takeSnapshot(w.inspector, tab, options);
      if (snapshot.error) throw new PageActionError(`selector ${JSON.stringify(options.selector)}: ${snapshot.error}`);
      return { ...this.where(w, tab), ...snapshot, ...this.dialogOn(tab) };
    });
  }

  act(windowRef: WindowRef, tabIndex: number | undefined, request: ActRequest, files?: UploadFile[]) {
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      const paths = files ? this.writeUploads(w.uuid, files) : undefined;
      const result = await act(w.inspector, tab, { ...request, ...(paths ? { paths } : {}) });
      return { ...this.where(w, tab), action: request.action, ...result, ...this.dialogOn(tab) };
    });
  }

  /** Several fields in order: text is filled, a boolean checks or unchecks, a select takes the value. The first failure stops. */
  fill(windowRef: WindowRef, tabIndex: number | undefined, fields: FillField[], timeoutMs: number) {
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      const results: Record<string, unknown>[] = [];
      for (const [index, field] of fields.entries()) {
        const target = field.ref !== undefined ? { ref: field.ref } : { selector: field.selector };
        try {
          let request: ActRequest;
          if (typeof field.value === 'boolean') request = { ...target, action: field.value ? 'check' : 'uncheck', timeoutMs };
          else {
            const probe = await onElement(w.inspector, frameOf(tab, target), target, { op: 'probe' });
            request = {
              ...target,
              action: probe.tag === 'select' ? 'select' : 'fill',
              text: field.value,
              values: [field.value],
              timeoutMs,
            };
          }
          results.push({ index, ...(await act(w.inspector, tab, request)) });
        } catch (error) {
          if (error instanceof PageActionError) throw new PageActionError(`fields[${index}]: ${error.message}`, { results, failed: index });
          throw error;
        }
      }
      return { ...this.where(w, tab), results };
    });
  }

  get(
    windowRef: WindowRef,
    tabIndex: number | undefined,
    target: { ref?: string; selector?: string; nth?: number },
    what: Getter,
    name?: string,
    maxChars = 100_000,
  ) {
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      const context = frameOf(tab, target);
      const answer = await onElement(w.inspector, context, target, { op: 'get', what, name, max: maxChars });
      if (answer.error === 'none') throw new PageActionError(`No element matches selector ${JSON.stringify(target.selector)}`);
      let value = answer.value;
      if (what === 'box' && value && context !== tab.context) {
        const origin = await frameOrigin(w.inspector, tab, context);
        const box = value as { x: number; y: number };
        value = { ...box, x: box.x + origin.x, y: box.y + origin.y };
      }
      return { ...this.where(w, tab), what, value, ...(answer.truncated ? { truncated: true } : {}) };
    });
  }

  tabs(windowRef: WindowRef, action: TabAction, index?: number, url?: string) {
    if (url !== undefined) checkUrl(url, 'url');
    return this.inspectors.run(windowRef, async (w) => {
      const i = w.inspector;
      if (action === 'new') {
        const { context } = await i.client.send<{ context: string }>('browsingContext.create', { type: 'tab' });
        const tab = await this.waitForTab(w, context);
        i.select(tab);
        if (url) await this.go(w, tab, url, 30_000);
      } else if (action === 'select' || action === 'close') {
        if (index === undefined) throw new InvalidParamError(`index is required to ${action} a tab`);
        const tab = i.tab(index);
        if (action === 'select') {
          await i.client.send('browsingContext.activate', { context: tab.context });
          i.select(tab);
        } else {
          if (i.tabs.size <= 1) throw new ConflictError('The last tab cannot be closed; close the window with /browser/close');
          await i.client.send('browsingContext.close', { context: tab.context, promptUnload: false });
          i.tabs.delete(tab.context);
        }
      }
      const list = [];
      for (const tab of i.tabs.values()) {
        const info = await i.sandboxCall<{ title: string }>(tab.context, pageTitle, [], 2_000).catch(() => ({ title: '' }));
        list.push({ index: i.indexOf(tab), url: tab.url, title: info.title, selected: i.isSelected(tab) });
      }
      return { id: w.id, uuid: w.uuid, tabs: list };
    });
  }

  navigate(windowRef: WindowRef, tabIndex: number | undefined, url: string, timeoutMs: number) {
    checkUrl(url, 'url');
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      await this.go(w, tab, url, timeoutMs);
      const info = await w.inspector.sandboxCall<{ title: string; url: string }>(tab.context, pageTitle, []);
      return { ...this.where(w, tab), url: info.url, title: info.title };
    });
  }

  /** A function run in the page's own world (what the page's scripts see), given the element of `ref` when named. */
  evaluate(windowRef: WindowRef, tabIndex: number | undefined, fn: string, ref: string | undefined, timeoutMs: number) {
    const declaration = /^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/.test(fn) ? fn : `() => (${fn})`;
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      w.inspector.refuseIfDialog(tab);
      const context = ref ? frameOf(tab, { ref }) : tab.context;
      const args: unknown[] = [];
      if (ref) {
        const node = await onElement(w.inspector, context, { ref }, { op: 'node' });
        args.push({ sharedId: (node.element as RemoteNode).sharedId });
      }
      const value = await w.inspector.pageCall<unknown>(context, declaration, args, timeoutMs);
      return { ...this.where(w, tab), value: toPlain(value) };
    });
  }

  screenshot(windowRef: WindowRef, tabIndex: number | undefined, format: 'png' | 'jpeg', fullPage: boolean, ref?: string) {
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      let clip: Record<string, unknown> | undefined;
      if (ref) {
        const node = await onElement(w.inspector, frameOf(tab, { ref }), { ref }, { op: 'node' });
        clip = { type: 'element', element: { sharedId: (node.element as RemoteNode).sharedId } };
      }
      const { data } = await w.inspector.client.send<{ data: string }>('browsingContext.captureScreenshot', {
        context: ref ? frameOf(tab, { ref }) : tab.context,
        origin: fullPage ? 'document' : 'viewport',
        format: { type: `image/${format}`, ...(format === 'jpeg' ? { quality: 0.8 } : {}) },
        ...(clip ? { clip } : {}),
      });
      return { ...this.where(w, tab), format, data };
    });
  }

  /** Waits for `text` to appear or go (polling the rendered text), or for `seconds`. */
  waitFor(
    windowRef: WindowRef,
    tabIndex: number | undefined,
    wait: { seconds?: number; text?: string; textGone?: string },
    timeoutMs: number,
  ) {
    return this.onTab(windowRef, tabIndex, async (w, tab) => {
      if (wait.seconds !== undefined) await new Promise((resolve) => setTimeout(resolve, wait.seconds! * 1000));
      const deadline = Date.now() + timeoutMs;
      for (const [text, present] of [
        [wait.text, true],
        [wait.textGone, false],
      ] as const) {
        if (text === undefined) continue;
        for (;;) {
          await tab.settled(Math.max(1, deadline - Date.now()));
          const found = await w.inspector.sandboxCall<boolean>(tab.context, hasText, [text]).catch(() => !present);
          if (found === present) break;
          if (Date.now() > deadline) {
            throw new PageActionError(`The text ${JSON.stringify(text)} did not ${present ? 'appear' : 'go'} within ${timeoutMs} ms`, {
              timedOut: true,
            });
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      return this.where(w, tab);
    });
  }

  private async go(w: InspectedWindow, tab: TabState, url: string, timeoutMs: number): Promise<void> {
    w.inspector.refuseIfDialog(tab);
    await w.inspector.client
      .send('browsingContext.navigate', { context: tab.context, url, wait: 'complete' }, timeoutMs)
      .catch((error: Error) => {
        throw new PageActionError(`Navigation to ${url} failed: ${error.message}`, { timedOut: /did not answer/.test(error.message) });
      });
    tab.url = url;
  }

  private async waitForTab(w: InspectedWindow, context: string): Promise<TabState> {
    for (let i = 0; i < 100; i++) {
      const tab = w.inspector.tabs.get(context);
      if (tab) return tab;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new PageActionError('The new tab did not appear');
  }

  /** A dialog left open for an explicit answer, named in the answers of calls on its tab. */
  dialogOn(tab: TabState) {
    return tab.openDialog ? { dialog: { type: tab.openDialog.type, message: tab.openDialog.message } } : {};
  }

  private where(w: InspectedWindow, tab: TabState) {
    return { id: w.id, uuid: w.uuid, tab: w.inspector.indexOf(tab) };
  }

  onTab<T>(windowRef: WindowRef, tabIndex: number | undefined, work: (w: InspectedWindow, tab: TabState) => Promise<T>): Promise<T> {
    return this.inspectors.run(windowRef, (w) => work(w, w.inspector.tab(tabIndex)));
  }

  /** Files for an upload, written under the window's profile folder (never synced); the oldest folders go. */
  private writeUploads(uuid: string, files: UploadFile[]): string[] {
    const root = join(this.windows.profileDir(uuid), 'uploads');
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const old = readdirSync(root)
      .map((name) => ({ name, at: statSync(join(root, name)).mtimeMs }))
      .sort((a, b) => a.at - b.at);
    for (const gone of old.slice(0, Math.max(0, old.length - UPLOADS_KEPT + 1)))
      rmSync(join(root, gone.name), { recursive: true, force: true });
    const dir = join(root, randomUUID());
    mkdirSync(dir, { mode: 0o700 });
    return files.map((file) => {
      const path = join(dir, file.name);
      writeFileSync(path, Buffer.from(file.data, 'base64'), { mode: 0o600 });
      return path;
    });
  }
}
