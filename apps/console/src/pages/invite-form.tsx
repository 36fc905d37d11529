import { useState } from 'react';
import { api } from '../api';
import { ButtonRow, Field, Status, useAction } from '../ui';
import { Dialog } from '../dialog';
import { accessBody, AccessFields, AccessWarning, NO_ACCESS } from './member-access';
import type { Access } from './member-access';

export function InviteForm(props: { groups: { id: number; name: string }[]; mayMakeAdmin: boolean; onClose: () => void }) {
  const [email, setEmail] = useState('');
  const [access, setAccess] = useState<Access>(NO_ACCESS);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const { status, run } = useAction();
  const invite = () =>
    run(`Invite ${email}`, async () => {
      const created = await api<{ path: string }>('/team/invite/create', { email, ...accessBody(access) });
      setLink(location.origin + created.path);
    });
  return (
    <Dialog title={link ? `Invitation for ${email}` : 'Invite a member'} onClose={props.onClose}>
      {link ? (
        <>
          <p>Send this link to {email}. It is shown only now; whoever opens it can join as the invited member.</p>
          <Field label="Invitation link">
            <input readOnly value={link} onFocus={(e) => e.target.select()} />
          </Field>
          <ButtonRow>
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard.writeText(link).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              Copy
            </button>
            <button type="button" onClick={props.onClose}>
              Done
            </button>
          </ButtonRow>
          <Status text={copied ? 'Copied' : ''} />
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void invite();
          }}
        >
          <Field label="Email">
            <input type="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <AccessFields access={access} onChange={setAccess} groups={props.groups} mayMakeAdmin={props.mayMakeAdmin} />
          <AccessWarning access={access} who={email || 'the new member'} />
          <button type="submit" className="primary">
            Create invitation link
          </button>
          <Status text={status} />
        </form>
      )}
    </Dialog>
  );
}
