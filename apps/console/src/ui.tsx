import { Children, Fragment, useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api';

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

/** Runs `action` as `what`; true when it went through. */
export type Run = (what: string, action: () => Promise<unknown>) => Promise<boolean>;

/** Runs an action and reports how it went in the page's live region. */
export function useAction(): { status: string; run: Run } {
  const [status, setStatus] = useState('');
  const run = useCallback(async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      setStatus(`${what}: done`);
      return true;
    } catch (e) {
      setStatus(`${what} failed: ${e instanceof ApiError ? `${e.message} (${e.code})` : String(e)}`);
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
}) {
  return (
    <button type="button" disabled={props.disabled} onClick={() => void props.run(props.what, props.action).then(props.after)}>
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

export function Status({ text }: { text: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      {text}
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

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  useEffect(() => {
    const key = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [onClose]);
  return (
    <div className="backdrop">
      <section className="dialog" role="dialog" aria-modal="true" aria-label={title}>
        <header>
          <h2>{title}</h2>
          <button type="button" onClick={onClose} aria-label="Close dialog">
            ×
          </button>
        </header>
        {children}
      </section>
    </div>
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
