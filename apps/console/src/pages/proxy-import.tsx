import { useState } from 'react';
import { api } from '../api';
import { Field, Status } from '../ui';
import { Dialog } from '../dialog';

interface LineOutcome {
  line: number;
  ok: boolean;
  id?: number;
  name?: string;
  error?: string;
}
interface Check {
  ok: boolean;
  ip?: string;
  country?: string;
  latencyMs?: number;
  reason?: string;
  message?: string;
}

/** What a check found, in words: where the proxy comes out, or why it did not answer. */
function checkText(check: Check | undefined): string {
  if (!check) return 'checking…';
  if (check.ok) return `works: exit ${check.ip ?? '?'}${check.country ? ` (${check.country})` : ''}, ${check.latencyMs ?? '?'} ms`;
  return `does not work: ${check.message || check.reason || 'no answer'}`;
}

/**
 * Saved proxies from a pasted list: the lines checked by the cloud first (a dry run: which are
 * good, which repeat or are saved already), then saved, then each saved one checked through
 * `/proxy/check` one after another, its answer shown beside it.
 */
export function ProxyImportDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [text, setText] = useState('');
  const [lines, setLines] = useState<LineOutcome[] | null>(null);
  const [saved, setSaved] = useState(false);
  const [checks, setChecks] = useState<Record<number, Check>>({});
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const call = async (dryRun: boolean) => {
    setBusy(true);
    setStatus('');
    try {
      const answer = await api<{ lines: LineOutcome[] }>('/proxy/import', { text, dryRun });
      setLines(answer.lines);
      if (dryRun) return;
      setSaved(true);
      onSaved();
      for (const line of answer.lines.filter((l) => l.ok && l.id !== undefined)) {
        const check = await api<Check>('/proxy/check', { id: line.id }).catch((error: Error) => ({ ok: false, message: error.message }));
        setChecks((all) => ({ ...all, [line.id!]: check }));
      }
    } catch (error) {
      setStatus((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const good = lines?.filter((l) => l.ok).length ?? 0;
  return (
    <Dialog title="Paste proxies" onClose={onClose}>
      <Field label="Proxies, one per line (type://user:pass@host:port, host:port or host:port:user:pass)">
        <textarea
          rows={8}
          value={text}
          onChange={(e) => (setText(e.target.value), setLines(null), setSaved(false), setChecks({}))}
          spellCheck={false}
        />
      </Field>
      <button type="button" disabled={busy || text.trim() === ''} onClick={() => void call(true)}>
        Check lines
      </button>
      {lines && !saved && (
        <button type="button" className="primary" disabled={busy || good === 0} onClick={() => void call(false)}>
          Save {good} prox{good === 1 ? 'y' : 'ies'}
        </button>
      )}
      <Status text={status} />
      {lines && (
        <ol className="problems" aria-label="Lines">
          {lines.map((l) => (
            <li key={l.line}>
              Line {l.line}: {l.ok ? `${l.name}${saved && l.id !== undefined ? ` — ${checkText(checks[l.id])}` : ''}` : l.error}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
