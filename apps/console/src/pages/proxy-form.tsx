import { useState } from 'react';
import type { FormEvent } from 'react';
import { Field } from '../ui';

/** The fields of a saved proxy as the add and edit forms hold them (the port as typed). */
export interface ProxyFields {
  name: string;
  proxyType: string;
  host: string;
  port: string;
  proxyUserName: string;
  proxyPassword: string;
}

export const EMPTY_PROXY: ProxyFields = { name: '', proxyType: 'http', host: '', port: '', proxyUserName: '', proxyPassword: '' };
const TYPES = ['http', 'https', 'socks5', 'ssh'];

/**
 * A saved proxy's fields. Editing, the password field starts empty: left empty it keeps the saved
 * password (the cloud never sends it back), typed it replaces it. Moving the endpoint (type, host or
 * port) with the field empty drops the saved password on the cloud, so the form says so before saving.
 */
export function ProxyForm(props: {
  initial: ProxyFields;
  editing?: { hasPassword: boolean };
  submitLabel: string;
  /** Saves; true when it did (the add form then empties). */
  onSubmit: (fields: ProxyFields) => Promise<boolean>;
  className?: string;
  /** The form's name (a page may hold several forms). */
  label: string;
}) {
  const [form, setForm] = useState(props.initial);
  const set = (key: keyof ProxyFields) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void props.onSubmit(form).then((saved) => saved && !props.editing && setForm(EMPTY_PROXY));
  };
  const endpointMoved =
    form.proxyType !== props.initial.proxyType || form.host !== props.initial.host || Number(form.port) !== Number(props.initial.port);
  const dropsPassword = !!props.editing?.hasPassword && endpointMoved && !form.proxyPassword;
  return (
    <form className={props.className} aria-label={props.label} onSubmit={submit}>
      <Field label="Name">
        <input required value={form.name} onChange={set('name')} />
      </Field>
      <Field label="Type">
        <select value={form.proxyType} onChange={set('proxyType')}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      <Field label="Host">
        <input required value={form.host} onChange={set('host')} />
      </Field>
      <Field label="Port">
        <input required inputMode="numeric" pattern="[0-9]{1,5}" value={form.port} onChange={set('port')} />
      </Field>
      <Field label="User name">
        <input autoComplete="off" value={form.proxyUserName} onChange={set('proxyUserName')} />
      </Field>
      <Field label="Password">
        <input
          type="password"
          autoComplete="new-password"
          placeholder={
            dropsPassword ? 'dropped on save; type it again to keep one' : props.editing?.hasPassword ? 'saved; type to replace' : undefined
          }
          value={form.proxyPassword}
          onChange={set('proxyPassword')}
        />
      </Field>
      {dropsPassword && (
        <p className="notice" role="note">
          The saved password is dropped when the type, host or port changes, unless you type it again.
        </p>
      )}
      <button type="submit">{props.submitLabel}</button>
    </form>
  );
}
