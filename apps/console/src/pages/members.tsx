import { PERMISSIONS } from '@cos/contracts/permissions';
import type { MemberResponse, Permission as PermissionName } from '@cos/contracts';
import { useState } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { Table } from '../table';
import { ButtonRow, Dialog, Field, RunButton, Status, useAction, useLoad } from '../ui';

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

type Access = Pick<MemberResponse, 'role' | 'permissions' | 'scope' | 'groupIds'>;

export function MembersPage({ live }: { live: number }) {
  const me = useSession();
  const members = useLoad(() => api<{ list: MemberResponse[] }>('/team/member/list'), [live]);
  const groups = useLoad(() => api<{ list: { id: number; name: string }[] }>('/group/list', { pageSize: 100 }), [live]);
  const invitations = useLoad(() => api<{ list: Invitation[] }>('/team/invite/list'), [live]);
  const [editing, setEditing] = useState<MemberResponse | 'new' | null>(null);
  const [inviting, setInviting] = useState(false);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
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
          { header: 'Email', cell: (m) => m.email },
          { header: 'Role', cell: (m) => m.role },
          { header: 'Permissions', cell: (m) => (m.role === 'member' ? m.permissions.join(', ') || 'none' : 'all') },
          {
            header: 'Windows',
            cell: (m) => (m.scope === 'all' || m.role !== 'member' ? 'all' : `groups ${m.groupIds.join(', ') || 'none'}`),
          },
          {
            header: 'Actions',
            cell: (m) =>
              m.id !== me.user.id &&
              m.role !== 'owner' && (
                <ButtonRow>
                  <button type="button" onClick={() => setEditing(m)}>
                    Edit {m.email}
                  </button>
                  <RunButton
                    run={run}
                    what={`Remove ${m.email}`}
                    action={() => api('/team/member/remove', { userId: m.id })}
                    after={members.reload}
                  >
                    Remove {m.email}
                  </RunButton>
                </ButtonRow>
              ),
          },
        ]}
      />
      <h2>Invitations</h2>
      <Table
        label="Invitations"
        rows={invitations.data?.list}
        rowId={(i) => i.id}
        columns={[
          { header: 'Email', cell: (i) => i.email },
          { header: 'Role', cell: (i) => i.role },
          { header: 'Permissions', cell: (i) => (i.role === 'member' ? i.permissions.join(', ') || 'none' : 'all') },
          {
            header: 'Windows',
            cell: (i) => (i.scope === 'all' || i.role !== 'member' ? 'all' : `groups ${i.groupIds.join(', ') || 'none'}`),
          },
          { header: 'Status', cell: (i) => i.status },
          { header: 'Invited by', cell: (i) => i.invitedByEmail ?? '(no longer a member)' },
          { header: 'Expires', cell: (i) => new Date(i.expiresAt).toLocaleString() },
          {
            header: 'Actions',
            cell: (i) =>
              i.status === 'pending' && (
                <button type="button" onClick={() => setRevoking(i)}>
                  Revoke invitation for {i.email}
                </button>
              ),
          },
        ]}
      />
      <Status text={invitations.error} />
      {revoking && (
        <Dialog title={`Revoke the invitation for ${revoking.email}?`} onClose={() => setRevoking(null)}>
          <p>The link sent to {revoking.email} stops working.</p>
          <ButtonRow>
            <RunButton
              run={run}
              what={`Revoke the invitation for ${revoking.email}`}
              action={() => api('/team/invite/revoke', { id: revoking.id })}
              after={() => (setRevoking(null), invitations.reload())}
            >
              Yes, revoke the invitation for {revoking.email}
            </RunButton>
            <button type="button" onClick={() => setRevoking(null)}>
              Cancel
            </button>
          </ButtonRow>
        </Dialog>
      )}
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
        <button type="submit" className="primary">
          {m ? 'Save' : 'Add'}
        </button>
        <Status text={status} />
      </form>
    </Dialog>
  );
}

const NO_ACCESS: Access = { role: 'member', permissions: [], scope: 'all', groupIds: [] };

/** The access as the API takes it: groups only with scope "groups". */
const accessBody = (a: Access) => ({ ...a, groupIds: a.scope === 'groups' ? a.groupIds : [] });

const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

/** Role, permissions (with what each allows) and the windows a member sees: the same fields to add, edit or invite. */
function AccessFields(props: {
  access: Access;
  onChange: (access: Access) => void;
  groups: { id: number; name: string }[];
  mayMakeAdmin: boolean;
}) {
  const { access, onChange } = props;
  const set = (change: Partial<Access>) => onChange({ ...access, ...change });
  return (
    <>
      <Field label="Role">
        <select value={access.role} onChange={(e) => set({ role: e.target.value as MemberResponse['role'] })}>
          <option value="member">member</option>
          {props.mayMakeAdmin && <option value="admin">admin</option>}
        </select>
      </Field>
      {access.role === 'member' && (
        <>
          <fieldset>
            <legend>Permissions</legend>
            <div className="checklist">
              {(Object.entries(PERMISSIONS) as [PermissionName, string][]).map(([name, description]) => (
                <label key={name} title={description}>
                  <input
                    type="checkbox"
                    checked={access.permissions.includes(name)}
                    onChange={() => set({ permissions: toggle(access.permissions, name) })}
                  />{' '}
                  {name} <small>{description}</small>
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend>Windows this member sees</legend>
            <label>
              <input type="radio" name="scope" checked={access.scope === 'all'} onChange={() => set({ scope: 'all' })} /> All windows
            </label>{' '}
            <label>
              <input type="radio" name="scope" checked={access.scope === 'groups'} onChange={() => set({ scope: 'groups' })} /> Only these
              groups
            </label>
            {access.scope === 'groups' && (
              <div className="checklist">
                {props.groups.map((g) => (
                  <label key={g.id}>
                    <input
                      type="checkbox"
                      checked={access.groupIds.includes(g.id)}
                      onChange={() => set({ groupIds: toggle(access.groupIds, g.id) })}
                    />{' '}
                    {g.name}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
        </>
      )}
    </>
  );
}

/** Invite by email: the link is shown once, whole, to be sent to the new member, who sets their own password. */
function InviteForm(props: { groups: { id: number; name: string }[]; mayMakeAdmin: boolean; onClose: () => void }) {
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
          <button type="submit" className="primary">
            Create invitation link
          </button>
          <Status text={status} />
        </form>
      )}
    </Dialog>
  );
}
