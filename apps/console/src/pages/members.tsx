import type { MemberResponse } from '@cos/contracts';
import { useState } from 'react';
import { api } from '../api';
import { useSession } from '../session';
import { Table } from '../table';
import { ButtonRow, Dialog, Field, RunButton, Status, useAction, useLoad } from '../ui';

interface Permission {
  name: string;
  description: string;
}

export function MembersPage({ live }: { live: number }) {
  const me = useSession();
  const members = useLoad(() => api<{ list: MemberResponse[] }>('/team/member/list'), [live]);
  const catalogue = useLoad(() => api<{ list: Permission[] }>('/team/permission/list'), []);
  const groups = useLoad(() => api<{ list: { id: number; name: string }[] }>('/group/list', { pageSize: 100 }), [live]);
  const [editing, setEditing] = useState<MemberResponse | 'new' | null>(null);
  const { status, run } = useAction();
  return (
    <>
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          Add member
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
      {editing && (
        <MemberForm
          member={editing === 'new' ? null : editing}
          permissions={catalogue.data?.list ?? []}
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
  permissions: Permission[];
  groups: { id: number; name: string }[];
  mayMakeAdmin: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const m = props.member;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState(m?.role ?? 'member');
  const [granted, setGranted] = useState<string[]>(m?.permissions ?? []);
  const [scope, setScope] = useState(m?.scope ?? 'all');
  const [groupIds, setGroupIds] = useState<number[]>(m?.groupIds ?? []);
  const { status, run } = useAction();
  const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const save = () =>
    run(m ? 'Save member' : 'Add member', () =>
      api(m ? '/team/member/update' : '/team/member/add', {
        ...(m ? { userId: m.id } : { email, password }),
        role,
        permissions: granted,
        scope,
        groupIds: scope === 'groups' ? groupIds : [],
      }),
    ).then((ok) => ok && props.onSaved());
  return (
    <Dialog title={m ? `Edit ${m.email}` : 'Add member'} onClose={props.onClose}>
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
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.target.value as MemberResponse['role'])}>
            <option value="member">member</option>
            {props.mayMakeAdmin && <option value="admin">admin</option>}
          </select>
        </Field>
        {role === 'member' && (
          <>
            <fieldset>
              <legend>Permissions</legend>
              <div className="checklist">
                {props.permissions.map((p) => (
                  <label key={p.name} title={p.description}>
                    <input type="checkbox" checked={granted.includes(p.name)} onChange={() => setGranted(toggle(granted, p.name))} />{' '}
                    {p.name}
                  </label>
                ))}
              </div>
            </fieldset>
            <fieldset>
              <legend>Windows this member sees</legend>
              <label>
                <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All windows
              </label>{' '}
              <label>
                <input type="radio" name="scope" checked={scope === 'groups'} onChange={() => setScope('groups')} /> Only these groups
              </label>
              {scope === 'groups' && (
                <div className="checklist">
                  {props.groups.map((g) => (
                    <label key={g.id}>
                      <input type="checkbox" checked={groupIds.includes(g.id)} onChange={() => setGroupIds(toggle(groupIds, g.id))} />{' '}
                      {g.name}
                    </label>
                  ))}
                </div>
              )}
            </fieldset>
          </>
        )}
        <button type="submit" className="primary">
          {m ? 'Save' : 'Add'}
        </button>
        <Status text={status} />
      </form>
    </Dialog>
  );
}
