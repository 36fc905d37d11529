import type { MemberResponse } from '@cos/contracts';
import { useState } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { Table } from '../table';
import { ConfirmButton } from '../confirm';
import { ButtonRow, Empty, Field, Status, useAction, useLoad } from '../ui';
import { Dialog } from '../dialog';
import { InviteForm } from './invite-form';
import { accessBody, AccessFields, AccessWarning, NO_ACCESS, permissionsText, scopeText } from './member-access';
import type { Access } from './member-access';

/** An invitation as `/team/invite/list` answers it: never its token. */
interface Invitation {
  id: number;
  email: string;
  role: MemberResponse['role'];
  permissions: string[];
  scope: 'all' | 'groups';
  groupIds: number[];
  status: 'pending' | 'accepted' | 'expired' | 'revoked';
  expiresAt: string;
  invitedByEmail: string | null;
}

export function MembersPage({ live }: { live: number }) {
  const me = useSession();
  const members = useLoad(() => api<{ list: MemberResponse[] }>('/team/member/list'), [live]);
  const groups = useLoad(() => api<{ list: { id: number; name: string }[] }>('/group/list', { pageSize: 100 }), [live]);
  const invitations = useLoad(() => api<{ list: Invitation[] }>('/team/invite/list'), [live]);
  const [editing, setEditing] = useState<MemberResponse | 'new' | null>(null);
  const [inviting, setInviting] = useState(false);
  const { status, run } = useAction();
  return (
    <>
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => setInviting(true)}>
          Invite
        </button>
        <button type="button" onClick={() => setEditing('new')}>
          Add with a password
        </button>
      </div>
      <Status text={status || members.error} />
      <Table
        label="Members"
        rows={members.data?.list}
        rowId={(m) => m.id}
        columns={[
          { header: 'Email', wrap: true, cell: (m) => m.email },
          { header: 'Role', cell: (m) => m.role },
          { header: 'Permissions', wrap: true, cell: (m) => permissionsText(m) },
          { header: 'Windows', wrap: true, cell: (m) => scopeText(m, groups.data?.list) },
          {
            header: 'Actions',
            cell: (m) =>
              m.id !== me.user.id &&
              m.role !== 'owner' && (
                <ButtonRow>
                  <button type="button" aria-label={`Edit ${m.email}`} onClick={() => setEditing(m)}>
                    Edit
                  </button>
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Remove ${m.email}`}
                    title={`Remove ${m.email} from the team?`}
                    body={`${m.email} is signed out everywhere and loses access to every window of the team. Their windows stay.`}
                    confirmLabel={`Remove ${m.email}`}
                    action={() => api('/team/member/remove', { userId: m.id })}
                    after={members.reload}
                    label={`Remove ${m.email}`}
                  >
                    Remove
                  </ConfirmButton>
                </ButtonRow>
              ),
          },
        ]}
      />
      <h2>Invitations</h2>
      {invitations.data?.list.length === 0 ? (
        <Empty>No invitations yet. Invite someone with Invite: they get a link to set their own password.</Empty>
      ) : (
        <Table
          label="Invitations"
          rows={invitations.data?.list}
          rowId={(i) => i.id}
          columns={[
            { header: 'Email', wrap: true, cell: (i) => i.email },
            { header: 'Role', cell: (i) => i.role },
            { header: 'Permissions', wrap: true, cell: (i) => permissionsText(i) },
            { header: 'Windows', wrap: true, cell: (i) => scopeText(i, groups.data?.list) },
            { header: 'Status', cell: (i) => i.status },
            { header: 'Invited by', wrap: true, cell: (i) => i.invitedByEmail ?? '(no longer a member)' },
            { header: 'Expires', cell: (i) => new Date(i.expiresAt).toLocaleString() },
            {
              header: 'Actions',
              cell: (i) =>
                i.status === 'pending' && (
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Revoke the invitation for ${i.email}`}
                    title={`Revoke the invitation for ${i.email}?`}
                    body={`The link sent to ${i.email} stops working. You can invite them again later.`}
                    confirmLabel="Revoke invitation"
                    action={() => api('/team/invite/revoke', { id: i.id })}
                    after={invitations.reload}
                    label={`Revoke invitation for ${i.email}`}
                  >
                    Revoke
                  </ConfirmButton>
                ),
            },
          ]}
        />
      )}
      <Status text={invitations.error} />
      {inviting && (
        <InviteForm
          groups={groups.data?.list ?? []}
          mayMakeAdmin={me.user.role === 'owner'}
          onClose={() => (setInviting(false), invitations.reload())}
        />
      )}
      {editing && (
        <MemberForm
          member={editing === 'new' ? null : editing}
          groups={groups.data?.list ?? []}
          mayMakeAdmin={me.user.role === 'owner'}
          onClose={() => setEditing(null)}
          onSaved={() => (setEditing(null), members.reload())}
        />
      )}
    </>
  );
}

function MemberForm(props: {
  member: MemberResponse | null;
  groups: { id: number; name: string }[];
  mayMakeAdmin: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const m = props.member;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [access, setAccess] = useState<Access>(
    m ? { role: m.role, permissions: m.permissions, scope: m.scope, groupIds: m.groupIds } : NO_ACCESS,
  );
  const { status, run } = useAction();
  const save = () =>
    run(m ? 'Save member' : 'Add member', () =>
      api(m ? '/team/member/update' : '/team/member/add', { ...(m ? { userId: m.id } : { email, password }), ...accessBody(access) }),
    ).then((ok) => ok && props.onSaved());
  return (
    <Dialog title={m ? `Edit ${m.email}` : 'Add member with a password'} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {!m && (
          <div className="grid">
            <Field label="Email">
              <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </Field>
            <Field label="Initial password">
              <input
                type="password"
                required
                minLength={8}
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
          </div>
        )}
        <AccessFields access={access} onChange={setAccess} groups={props.groups} mayMakeAdmin={props.mayMakeAdmin} />
        <AccessWarning access={access} who={m?.email ?? (email || 'the new member')} />
        <button type="submit" className="primary">
          {m ? 'Save' : 'Add'}
        </button>
        <Status text={status} />
      </form>
    </Dialog>
  );
}
