import { diffArrays } from 'diff';
import { BidiCommandError } from './bidi-client';
import { snapshotFrame, SnapshotFrameResult } from './page-snapshot';
import { RemoteWindow } from './remote-value';
import { TabState } from './tab-state';
import { WindowInspector } from './window-inspector';

export interface SnapshotOptions {
  interactiveOnly: boolean;
  depth: number;
  selector: string | null;
  maxChars: number;
  delta: boolean;
}

export interface Snapshot {
  url: string;
  title: string;
  snapshot: string;
  truncated: boolean;
  chars: number;
  /** Delta mode: the changed lines with the lines above them for context; `removed`: lines gone. */
  delta?: { changed: number; removed: string[]; removedCount: number } | null;
  deltaNote?: string;
  frames: number;
  error?: string;
}

export const SNAPSHOT_DEPTH_MAX = 100;
export const SNAPSHOT_CHARS_MAX = 2_000_000;
export const SNAPSHOT_CHARS_DEFAULT = 100_000;
/** Frames inside frames are followed this deep, and at most this many per snapshot. */
const FRAME_NESTING_MAX = 5;
const FRAMES_MAX = 50;
const FRAME_TIMEOUT_MS = 10_000;
const REMOVED_SHOWN = 50;

const PLACEHOLDER = /^(\s*)- frame#(\d+)$/;
const REF_IN_LINE = /\[ref=([a-z0-9]+)\]/;

/** A realm that went away under the call: the page navigated; the call is made again in the new one. */
function navigatedAway(error: unknown): boolean {
  return error instanceof BidiCommandError && /no such (frame|realm|handle)|destroyed|discarded/i.test(error.message);
}

/**
 * A tab's aria snapshot, its frames included: each frame is snapshotted in its own sandbox and
 * spliced under its iframe, its refs prefixed with the frame's number. Refs count up across the
 * tab's life, so a ref from before a navigation is never handed out again and can only be stale.
 */
export async function takeSnapshot(inspector: WindowInspector, tab: TabState, options: SnapshotOptions): Promise<Snapshot> {
  return tab.exclusive(async () => {
    await tab.settled(FRAME_TIMEOUT_MS);
    let frameCount = 0;
    const frameLines = async (
      context: string,
      prefix: string,
      depth: number,
      budget: number,
      nesting: number,
    ): Promise<SnapshotFrameResult> => {
      const request = {
        prefix,
        nextRef: tab.nextRef,
        interactiveOnly: options.interactiveOnly,
        depth,
        selector: nesting === 0 ? options.selector : null,
        budget,
      };
      let result: SnapshotFrameResult;
      try {
        result = await inspector.sandboxCall<SnapshotFrameResult>(context, snapshotFrame, [request], FRAME_TIMEOUT_MS);
      } catch (error) {
        if (!navigatedAway(error)) throw error;
        await tab.settled(FRAME_TIMEOUT_MS);
        result = await inspector.sandboxCall<SnapshotFrameResult>(context, snapshotFrame, [request], FRAME_TIMEOUT_MS);
      }
      tab.nextRef = Math.max(tab.nextRef, result.nextRef);
      const out: string[] = [];
      let used = 0;
      for (const [index, line] of result.lines.entries()) {
        const placeholder = PLACEHOLDER.exec(line);
        if (!placeholder) {
          out.push(line);
          used += line.length + 1;
          continue;
        }
        const indent = placeholder[1];
        const child = result.frames[Number(placeholder[2])];
        const ownerRef = REF_IN_LINE.exec(result.lines[index - 1] ?? '')?.[1];
        if (!(child instanceof RemoteWindow) || nesting + 1 > FRAME_NESTING_MAX || frameCount >= FRAMES_MAX) {
          out.push(`${indent}- text: (frame not shown: ${frameCount >= FRAMES_MAX ? 'too many frames' : 'nested too deep'})`);
          continue;
        }
        frameCount++;
        const number = tab.frameNumber(child.context);
        if (ownerRef) tab.frameOwners.set(child.context, { parent: context, ref: ownerRef });
        const levels = indent.length / 2;
        try {
          const inner = await frameLines(child.context, `f${number}`, depth - levels, Math.max(0, budget - used), nesting + 1);
          for (const innerLine of inner.lines) out.push(`${indent}${innerLine}`);
          used += inner.lines.reduce((sum, l) => sum + l.length + indent.length + 1, 0);
          if (inner.truncated) result.truncated = true;
        } catch (error) {
          out.push(`${indent}- text: ${JSON.stringify(`(frame not readable: ${(error as Error).message})`)}`);
        }
      }
      return { ...result, lines: out };
    };

    const top = await frameLines(tab.context, '', options.depth, options.maxChars, 0);
    if (top.error) {
      return { url: top.url, title: top.title, snapshot: '', truncated: false, chars: 0, frames: 0, error: top.error };
    }
    let lines = top.lines;
    let truncated = top.truncated;
    let total = 0;
    const kept: string[] = [];
    for (const line of lines) {
      if (total + line.length + 1 > options.maxChars) {
        truncated = true;
        break;
      }
      kept.push(line);
      total += line.length + 1;
    }
    lines = kept;
    const key = `${top.url}\n${options.interactiveOnly}\n${options.depth}\n${options.selector ?? ''}\n${options.maxChars}`;
    const previous = tab.lastSnapshot;
    tab.lastSnapshot = { url: key, lines };
    const base = { url: top.url, title: top.title, truncated, frames: frameCount };
    if (!options.delta) return { ...base, snapshot: lines.join('\n'), chars: total };
    if (!previous || previous.url !== key) {
      const deltaNote = previous
        ? 'the page or the snapshot options changed since the last snapshot: the whole snapshot is answered'
        : 'no earlier snapshot of this tab: the whole snapshot is answered';
      return { ...base, snapshot: lines.join('\n'), chars: total, delta: null, deltaNote };
    }
    const changes = deltaOf(previous.lines, lines);
    const snapshot = changes.lines.join('\n');
    return {
      ...base,
      snapshot,
      chars: snapshot.length,
      delta: { changed: changes.changed, removed: changes.removed.slice(0, REMOVED_SHOWN), removedCount: changes.removed.length },
    };
  });
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The lines added or changed since `before`, each with the lines that contain it (for context), in order. */
export function deltaOf(before: string[], after: string[]): { lines: string[]; changed: number; removed: string[] } {
  const added = new Set<number>();
  const removed: string[] = [];
  let index = 0;
  for (const part of diffArrays(before, after)) {
    if (part.removed) {
      removed.push(...part.value.map((l) => l.trim()));
      continue;
    }
    if (part.added) for (let i = 0; i < part.value.length; i++) added.add(index + i);
    index += part.value.length;
  }
  const shown = new Set<number>();
  for (const line of added) {
    shown.add(line);
    let need = indentOf(after[line]);
    for (let up = line - 1; up >= 0 && need > 0; up--) {
      if (indentOf(after[up]) < need) {
        shown.add(up);
        need = indentOf(after[up]);
      }
    }
  }
  return { lines: [...shown].sort((a, b) => a - b).map((i) => after[i]), changed: added.size, removed };
}
