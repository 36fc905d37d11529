import Papa from 'papaparse';
import { useState } from 'react';
import { api } from '../api';
import { download, toCsv } from './csv';
import { can, useSession } from '../session';
import { Field, Status } from '../ui';
import { Dialog } from '../dialog';
import { guessMapping, IMPORT_FIELDS, PROXY_PARTS, toImportRow } from './import-columns';
import type { Target } from './import-columns';

/** Rows per call: the cloud's bound on one import. */
const BATCH = 500;
/** A file of more rows than this is refused here: import it in parts. */
const FILE_ROWS_MAX = 20_000;
const FILE_BYTES_MAX = 20 * 1024 * 1024;

const TARGET_LABELS: Record<Target, string> = {
  name: 'Name',
  remark: 'Remark',
  group: 'Group (by name)',
  tags: 'Tags (comma separated)',
  proxy: 'Proxy (type://user:pass@host:port)',
  cookies: 'Cookies (JSON or cookies.txt)',
  os: 'Operating system',
  userAgent: 'User agent (read, not used)',
  proxyType: 'Proxy type (when in columns of its own)',
  host: 'Proxy host',
  port: 'Proxy port',
  proxyUserName: 'Proxy user',
  proxyPassword: 'Proxy password',
};

interface RowOutcome {
  index: number;
  ok: boolean;
  error?: string;
  missing?: { group?: string; tags?: string[] };
  warnings?: string[];
}

/** Every row through the cloud in batches, dry or for real; `progress` is told the rows done. */
async function send(rows: Record<string, unknown>[], dryRun: boolean, progress: (done: number) => void): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  for (let start = 0; start < rows.length; start += BATCH) {
    const answer = await api<{ rows: RowOutcome[] }>('/browser/import', { rows: rows.slice(start, start + BATCH), dryRun }).catch(
      (error: Error) => {
        // Said with where it stopped: the batches before it were imported (send the rest again, not the whole file).
        throw new Error(
          `rows ${start + 2} to ${Math.min(start + BATCH, rows.length) + 1} of the file: ${error.message}; ${start} rows before them were ${dryRun ? 'checked' : 'imported'}`,
        );
      },
    );
    outcomes.push(...answer.rows.map((r) => ({ ...r, index: r.index + start })));
    progress(Math.min(start + BATCH, rows.length));
  }
  return outcomes;
}

/** The names a preview says do not exist yet, so they can be created before the import. */
function missingNames(outcomes: RowOutcome[], kind: 'group' | 'tag'): string[] {
  const names = new Set<string>();
  for (const { missing } of outcomes) {
    if (kind === 'group' && missing?.group !== undefined) names.add(missing.group);
    if (kind === 'tag') for (const name of missing?.tags ?? []) names.add(name);
  }
  return [...names];
}

/**
 * Windows from a file: the file read here (never sent whole), its columns mapped onto the import's
 * fields (guessed from the header), every row checked by the cloud before anything is made (a dry
 * run in batches), missing groups and tags created on request, then the import in batches; the
 * rows that failed can be downloaded to fix and send again.
 */
export function WindowImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const me = useSession();
  const [table, setTable] = useState<string[][] | null>(null);
  const [mapping, setMapping] = useState<Partial<Record<Target, number>>>({});
  const [checked, setChecked] = useState<RowOutcome[] | null>(null);
  const [result, setResult] = useState<RowOutcome[] | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const header = table?.[0] ?? [];
  const rows = () => (table ?? []).slice(1).map((cells) => toImportRow(cells, mapping));

  const read = async (file: File) => {
    setChecked(null);
    setResult(null);
    if (file.size > FILE_BYTES_MAX) return setStatus(`The file is ${file.size} bytes; import at most ${FILE_BYTES_MAX} at once`);
    const parsed = Papa.parse<string[]>((await file.text()).replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
    if (parsed.data.length < 2) return setStatus('The file has no rows under its header');
    if (parsed.data.length - 1 > FILE_ROWS_MAX)
      return setStatus(`The file has ${parsed.data.length - 1} rows; import at most ${FILE_ROWS_MAX} at once`);
    setTable(parsed.data);
    setMapping(guessMapping(parsed.data[0]));
    setStatus(`${parsed.data.length - 1} rows read; check the columns below`);
  };
  const work = async (what: string, action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      setStatus(`${what}: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const check = () =>
    work('Checking', async () => {
      setResult(null);
      const all = rows();
      setChecked(await send(all, true, (n) => setStatus(`Checked ${n} of ${all.length} rows…`)));
      setStatus('');
    });
  const run = () =>
    work('Importing', async () => {
      const all = rows();
      const outcomes = await send(all, false, (n) => setStatus(`Imported ${n} of ${all.length} rows…`));
      setResult(outcomes);
      setStatus('');
      onImported();
    });
  const create = (kind: 'group' | 'tag', names: string[]) =>
    work(`Creating ${kind}s`, async () => {
      for (const name of names) await api(kind === 'group' ? '/group/add' : '/tag/add', { name });
      await check();
    });
  const failed = (result ?? checked ?? []).filter((o) => !o.ok);
  const good = (checked ?? []).length - (checked ?? []).filter((o) => !o.ok).length;
  const groups = checked ? missingNames(checked, 'group') : [];
  const tags = checked ? missingNames(checked, 'tag') : [];

  return (
    <Dialog title="Import windows" onClose={onClose}>
      <p>A CSV file with a header row: your own, or an AdsPower or BitBrowser export saved as CSV. Columns are matched by their names.</p>
      <Field label="File">
        <input type="file" accept=".csv,.txt,text/csv" onChange={(e) => e.target.files?.[0] && void read(e.target.files[0])} />
      </Field>
      {table && (
        <fieldset>
          <legend>Columns (guessed from the header; a window&apos;s user agent always comes from its Firefox device)</legend>
          <div className="grid">
            {[...IMPORT_FIELDS, ...PROXY_PARTS].map((target) => (
              <Field key={target} label={TARGET_LABELS[target]}>
                <select
                  value={mapping[target] ?? ''}
                  onChange={(e) => {
                    setChecked(null);
                    setMapping({ ...mapping, [target]: e.target.value === '' ? undefined : Number(e.target.value) });
                  }}
                >
                  <option value="">—</option>
                  {header.map((h, i) => (
                    <option key={i} value={i}>
                      {h || `column ${i + 1}`}
                    </option>
                  ))}
                </select>
              </Field>
            ))}
          </div>
          <button type="button" disabled={busy} onClick={() => void check()}>
            Check {table.length - 1} rows
          </button>
        </fieldset>
      )}
      <Status text={status} />
      {checked && !result && (
        <section aria-label="Check">
          <p>
            {good} of {checked.length} rows can be imported; {checked.length - good} have a problem.
          </p>
          {groups.length > 0 && can(me, 'group:manage') && (
            <button type="button" disabled={busy} onClick={() => void create('group', groups)}>
              Create {groups.length} missing group{groups.length === 1 ? '' : 's'}: {groups.slice(0, 5).join(', ')}
            </button>
          )}
          {tags.length > 0 && can(me, 'tag:manage') && (
            <button type="button" disabled={busy} onClick={() => void create('tag', tags)}>
              Create {tags.length} missing tag{tags.length === 1 ? '' : 's'}: {tags.slice(0, 5).join(', ')}
            </button>
          )}
          <button type="button" className="primary" disabled={busy || good === 0} onClick={() => void run()}>
            Import {good} window{good === 1 ? '' : 's'}
          </button>
        </section>
      )}
      {result && (
        <p role="status">
          Imported {result.length - failed.length} windows; {failed.length} rows were not imported.
        </p>
      )}
      {failed.length > 0 && (
        <section aria-label="Rows with a problem">
          <button
            type="button"
            onClick={() =>
              download(
                'rows-not-imported.csv',
                toCsv(
                  ['problem', ...header],
                  failed.map((o) => [o.error ?? '', ...(table?.[o.index + 1] ?? [])]),
                ),
              )
            }
          >
            Download the rows with a problem (CSV)
          </button>
          <ol className="problems">
            {failed.slice(0, 200).map((o) => (
              <li key={o.index}>
                Row {o.index + 2}: {o.error}
              </li>
            ))}
          </ol>
          {failed.length > 200 && <p>…and {failed.length - 200} more in the download.</p>}
        </section>
      )}
    </Dialog>
  );
}
