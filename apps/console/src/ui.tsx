import { Children, Fragment, useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';

/** Loads `load()` and reloads on demand; errors become a message, not a crash. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && (setData(value), setError('')),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** How a run reports success (instead of "what: done") and how it is taken back, if it can be. */
export interface RunOptions<T = unknown> {
  /** What the status line says when it went through; from the action's answer when a function. */
  done?: string | ((answer: T) => string);
  undo?: { what: string; action: () => Promise<unknown>; done: string };
}

/** Runs `action` as `what`; true when it went through. */
export type Run = <T>(what: string, action: () => Promise<T>, options?: RunOptions<T>) => Promise<boolean>;

/** The last action that can be undone: the status line showing its text offers Undo (one at a time, page-wide). */
let undoable: { text: string; undo: NonNullable<RunOptions['undo']>; outcome: string } | null = null;
const undoListeners = new Set<() => void>();
function setUndoable(next: typeof undoable) {
  undoable = next;
  for (const listener of undoListeners) listener();
}
const subscribeUndo = (listener: () => void) => (undoListeners.add(listener), () => void undoListeners.delete(listener));

/** What failed, in the cloud's words: a sentence, never a status code. */
export function failure(what: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return `${what} failed: ${message}`;
}

/** Runs an action and reports how it went in the page's live region. */
export function useAction(): { status: string; run: Run } {
  const [status, setStatus] = useState('');
  const run = useCallback<Run>(async (what, action, options) => {
    try {
      const answer = await action();
      const done = options?.done;
      const text = typeof done === 'function' ? done(answer) : (done ?? `${what}: done`);
      setUndoable(options?.undo ? { text, undo: options.undo, outcome: '' } : null);
      setStatus(text);
      return true;
    } catch (e) {
      setStatus(failure(what, e));
      return false;
    }
  }, []);
  return { status, run };
}

/** A button that runs `action` through `run` (so the page's status tells how it went), then `after` either way. */
export function RunButton(props: {
  run: Run;
  what: string;
  action: () => Promise<unknown>;
  after?: () => void;
  disabled?: boolean;
  children: ReactNode;
  /** Its accessible name when it needs more than its text ("Restore Shop 1" for a row's "Restore"). */
  label?: string;
}) {
  return (
    <button
      type="button"
      disabled={props.disabled}
      aria-label={props.label}
      onClick={() => void props.run(props.what, props.action).then(props.after)}
    >
      {props.children}
    </button>
  );
}

/** Buttons (and the field they act on) side by side, a space apart; one not shown (false, null) leaves no gap. */
export function ButtonRow({ children }: { children: ReactNode }) {
  return (
    <>
      {Children.toArray(children).map((child, i) => (
        <Fragment key={i}>
          {i > 0 && ' '}
          {child}
        </Fragment>
      ))}
    </>
  );
}

/** The page's status line; when it tells of an action that can be undone, it offers Undo. */
export function Status({ text }: { text: string }) {
  const last = useSyncExternalStore(subscribeUndo, () => undoable);
  const mine = last !== null && text !== '' && last.text === text;
  const undo = async () => {
    if (!last) return;
    try {
      await last.undo.action();
      setUndoable({ ...last, outcome: last.undo.done });
    } catch (e) {
      setUndoable({ ...last, outcome: failure(last.undo.what, e) });
    }
  };
  return (
    <p className="status" role="status" aria-live="polite">
      {mine && last.outcome ? last.outcome : text}
      {mine && !last.outcome && (
        <>
          {' '}
          <button type="button" className="undo" onClick={() => void undo()}>
            Undo
          </button>
        </>
      )}
    </p>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** The options of a select of named items (groups, tags), by id. */
export function NamedOptions({ items }: { items: { id: number; name: string }[] | undefined }) {
  return (
    <>
      {items?.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </>
  );
}

/** What a page shows instead of an empty table: that nothing is there yet, and how to add the first. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
