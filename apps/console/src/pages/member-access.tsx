import { PERMISSION_LABELS, PERMISSIONS, permissionLabel } from '@cos/contracts/permissions';
import type { MemberResponse, Permission as PermissionName } from '@cos/contracts';
import { Field } from '../ui';

/** What a member may do and see: as added, edited and invited. */
export type Access = Pick<MemberResponse, 'role' | 'permissions' | 'scope' | 'groupIds'>;

export const NO_ACCESS: Access = { role: 'member', permissions: [], scope: 'all', groupIds: [] };

/** The access as the API takes it: groups only with scope "groups". */
export const accessBody = (a: Access) => ({ ...a, groupIds: a.scope === 'groups' ? a.groupIds : [] });

const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

/** A member's permissions by their labels ("all" for owners and admins, who hold every one). */
export function permissionsText(a: { role: string; permissions: readonly string[] }): string {
  if (a.role !== 'member') return 'All';
  return a.permissions.map(permissionLabel).join(', ') || 'None';
}

/** The windows a member sees, groups by name. */
export function scopeText(
  a: { role: string; scope: string; groupIds: readonly number[] },
  groups: { id: number; name: string }[] | undefined,
): string {
  if (a.scope === 'all' || a.role !== 'member') return 'All windows';
  if (a.groupIds.length === 0) return 'No group yet';
  const names = new Map(groups?.map((g) => [g.id, g.name]));
  return `Groups: ${a.groupIds.map((id) => names.get(id) ?? `a deleted group`).join(', ')}`;
}

/** Role, permissions (with what each allows) and the windows a member sees: the same fields to add, edit or invite. */
export function AccessFields(props: {
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
                  {PERMISSION_LABELS[name]} <small className="permission-note">{description}</small>
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

/** What a member with these settings would not be able to do at all, said before they are saved. */
export function AccessWarning({ access, who }: { access: Access; who: string }) {
  if (access.role !== 'member') return null;
  const noPermissions = access.permissions.length === 0;
  const noGroups = access.scope === 'groups' && access.groupIds.length === 0;
  if (!noPermissions && !noGroups) return null;
  return (
    <p className="notice" role="note">
      {noPermissions
        ? `With no permissions, ${who} can sign in but sees no windows, proxies or members until you give them some.`
        : `With no group chosen, ${who} sees no windows until you add one.`}
    </p>
  );
}
