import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { Field, NamedOptions, Status, useAction, useLoad } from '../ui';
import { Dialog } from '../dialog';
import { FingerprintEditor } from './fingerprint-editor';
import {
  clearsPassword,
  CUSTOM_PROXY_TYPES,
  EXTRACTED_PROXY_TYPES,
  formValues,
  PROXY_METHOD_LABELS,
  windowUpdateBody,
} from './window-changes';
import type { Named, ProxyMethodValue, WindowFormValues, WindowRow } from './window-changes';

/** The form's fields typed into boxes (the method and the checkbox have handlers of their own). */
type TextField = Exclude<keyof WindowFormValues, 'proxyMethod' | 'isDynamicIpChangeIp' | 'fingerprint'>;

interface SavedProxy extends Named {
  proxyType: string;
  host: string;
  port: number;
}

/**
 * Create or edit a window: name, group, remark, its fingerprint (the editor), and its proxy by
 * any of the three methods (its password write-only). Saving an edit sends only what changed.
 */
export function WindowForm({
  window: w,
  groups,
  onClose,
  onSaved,
}: {
  window: WindowRow | null;
  groups: Named[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const me = useSession();
  const [before] = useState(() => formValues(w));
  const [values, setValues] = useState(before);
  const { status, run } = useAction();
  const [note, setNote] = useState('');
  // Only those who manage the team's proxies may list them; others still see the window's own binding.
  const saved = useLoad(
    () => (can(me, 'proxy:manage') ? api<{ list: SavedProxy[] }>('/proxy/list', { pageSize: 100 }) : Promise.resolve({ list: [] })),
    [],
  );
  const text = (field: TextField) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));
  const chooseMethod = (method: ProxyMethodValue) =>
    setValues((v) => ({
      ...v,
      proxyMethod: method,
      // Extracted proxies are http, https or socks5: anything else would not describe them.
      proxyType: method === '3' && !EXTRACTED_PROXY_TYPES.includes(v.proxyType) ? 'http' : v.proxyType,
    }));

  const save = () => {
    const body = windowUpdateBody(w, before, values);
    if (!body) {
      setNote('Nothing changed');
      return Promise.resolve();
    }
    return run(w ? 'Save window' : 'Create window', () => api('/browser/update', body)).then((ok) => ok && onSaved());
  };
  const savedProxies = saved.data?.list ?? [];
  const boundElsewhere = values.proxyId !== '' && !savedProxies.some((p) => String(p.id) === values.proxyId);
  return (
    <Dialog title={w ? `Edit ${w.name}` : 'New window'} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="grid">
          <Field label="Name">
            <input required maxLength={100} value={values.name} onChange={text('name')} />
          </Field>
          <Field label="Group">
            <select value={values.groupId} onChange={text('groupId')}>
              <option value="0">No group</option>
              <NamedOptions items={groups} />
            </select>
          </Field>
        </div>
        <Field label="Remark">
          <textarea maxLength={1000} value={values.remark} onChange={text('remark')} />
        </Field>
        <FingerprintEditor
          value={values.fingerprint}
          onChange={(fingerprint) => setValues((v) => ({ ...v, fingerprint }))}
          refusal={status}
        />
        <fieldset>
          <legend>Proxy</legend>
          <div className="grid">
            <Field label="Proxy method">
              <select value={values.proxyMethod} onChange={(e) => chooseMethod(e.target.value as ProxyMethodValue)}>
                {(Object.keys(PROXY_METHOD_LABELS) as ProxyMethodValue[]).map((method) => (
                  <option key={method} value={method}>
                    {PROXY_METHOD_LABELS[method]}
                  </option>
                ))}
              </select>
            </Field>
            {values.proxyMethod === '4' && (
              <Field label="Saved proxy">
                <select required value={values.proxyId} onChange={text('proxyId')}>
                  <option value="">Choose…</option>
                  {boundElsewhere && <option value={values.proxyId}>Saved proxy #{values.proxyId}</option>}
                  {savedProxies.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.proxyType} {p.host}:{p.port})
                    </option>
                  ))}
                </select>
              </Field>
            )}
            {values.proxyMethod !== '4' && (
              <Field label={values.proxyMethod === '3' ? 'Type of extracted proxies' : 'Type'}>
                <select value={values.proxyType} onChange={text('proxyType')}>
                  {(values.proxyMethod === '3' ? EXTRACTED_PROXY_TYPES : CUSTOM_PROXY_TYPES).map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
              </Field>
            )}
            {values.proxyMethod === '3' && (
              <>
                <Field label="Extraction URL">
                  <input required type="url" value={values.dynamicIpUrl} onChange={text('dynamicIpUrl')} />
                </Field>
                <label className="field">
                  <span>New proxy at every open</span>
                  <input
                    type="checkbox"
                    checked={values.isDynamicIpChangeIp}
                    onChange={(e) => setValues((v) => ({ ...v, isDynamicIpChangeIp: e.target.checked }))}
                  />
                </label>
              </>
            )}
            {values.proxyMethod === '2' && values.proxyType !== 'direct' && (
              <>
                <Field label="Host">
                  <input required value={values.host} onChange={text('host')} />
                </Field>
                <Field label="Port">
                  <input required inputMode="numeric" value={values.port} onChange={text('port')} />
                </Field>
                <Field label="User name">
                  <input value={values.proxyUserName} autoComplete="off" onChange={text('proxyUserName')} />
                </Field>
                <Field label={`Password (${w?.hasProxyPassword ? 'set; type to replace' : 'not set'})`}>
                  <input type="password" autoComplete="new-password" value={values.proxyPassword} onChange={text('proxyPassword')} />
                </Field>
              </>
            )}
            {(values.proxyMethod === '3' || (values.proxyMethod === '2' && values.proxyType !== 'direct')) && (
              <Field label="Refresh URL (rotates the exit IP)">
                <input type="url" value={values.refreshProxyUrl} onChange={text('refreshProxyUrl')} />
              </Field>
            )}
          </div>
          {clearsPassword(w, before, values) && <p>The stored proxy password is cleared when the proxy moves, unless you type it again.</p>}
        </fieldset>
        <button type="submit" className="primary">
          {w ? 'Save' : 'Create'}
        </button>
        <Status text={note || status} />
      </form>
    </Dialog>
  );
}
