import type { Permission } from '@cos/contracts';
import { useState } from 'react';
import { api } from '../api';
import { can, useSession } from '../session';
import { ConfirmButton } from '../confirm';
import { Empty, Field, RunButton, Status, useAction, useLoad } from '../ui';
import { plural } from '../words';

interface Named {
  id: number;
  name: string;
  color?: string;
  /** How many windows are in it or have it (the recycle bin's not counted; for a tag, those the caller may see). */
  windowCount?: number;
}

/** The longest names the cloud takes: a group's 100 characters, a tag's 50. */
const NAME_MAX = { group: 100, tag: 50 };

function NamedList({ kind, permission, live }: { kind: 'group' | 'tag'; permission: Permission; live: number }) {
  const me = useSession();
  // Tags are counted only when asked (each list counts them again); groups always say their count.
  const list = useLoad(
    () => api<{ list: Named[] }>(`/${kind}/list`, { pageSize: 100, ...(kind === 'tag' ? { counts: true } : {}) }),
    [live],
  );
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<Record<number, string>>({});
  const { status, run } = useAction();
  const may = can(me, permission);
  const label = kind === 'group' ? 'Groups' : 'Tags';
  return (
    <section aria-label={label}>
      <h2>{label}</h2>
      {may && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void run(`Add ${kind}`, () => api(`/${kind}/add`, { name })).then((ok) => ok && (setName(''), list.reload()));
          }}
        >
          <Field label={`New ${kind} name`}>
            <input required maxLength={NAME_MAX[kind]} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <button type="submit">Add {kind}</button>
        </form>
      )}
      <Status text={status || list.error} />
      {list.data?.list.length === 0 && (
        <Empty>
          No {kind}s yet.{' '}
          {may
            ? `Add one above with Add ${kind}, then pick it for windows on the Windows page.`
            : `Someone who may manage ${kind}s can add them.`}
        </Empty>
      )}
      <ul className="named-list">
        {list.data?.list.map((item) => {
          const typed = renaming[item.id] ?? item.name;
          return (
            <li key={item.id}>
              {may ? (
                <>
                  <input
                    aria-label={`Name of ${kind} ${item.name}`}
                    maxLength={NAME_MAX[kind]}
                    value={typed}
                    onChange={(e) => setRenaming({ ...renaming, [item.id]: e.target.value })}
                  />
                  <Count item={item} />
                  <RunButton
                    run={run}
                    what={`Rename ${kind}`}
                    action={() => api(`/${kind}/update`, { id: item.id, name: typed })}
                    after={list.reload}
                    label={`Rename ${kind} ${item.name}`}
                    disabled={typed.trim() === '' || typed === item.name}
                  >
                    Rename
                  </RunButton>
                  <ConfirmButton
                    run={run}
                    danger
                    what={`Delete ${kind} ${item.name}`}
                    title={`Delete the ${kind} ${item.name}?`}
                    body={whatDeleteLeaves(kind, item)}
                    confirmLabel={`Delete ${kind}`}
                    action={() => api(`/${kind}/delete`, { id: item.id })}
                    after={list.reload}
                    label={`Delete ${item.name}`}
                  >
                    Delete
                  </ConfirmButton>
                </>
              ) : (
                <>
                  <span className="named">{item.name}</span>
                  <Count item={item} />
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** What deleting a group or tag does to its windows, in words that agree with their count. */
function whatDeleteLeaves(kind: 'group' | 'tag', { name, windowCount = 0 }: Named): string {
  if (windowCount === 0) return `No window ${kind === 'group' ? 'is in it' : 'has it'}.`;
  const one = windowCount === 1;
  return kind === 'group'
    ? `Its ${plural(windowCount, 'window')} ${one ? 'stays and becomes' : 'stay and become'} ungrouped; members limited to ${name} no longer see ${one ? 'it' : 'them'}.`
    : `The ${plural(windowCount, 'window')} with it ${one ? 'stays and loses' : 'stay and lose'} the tag ${name}.`;
}

/** How many windows a group holds or a tag is on. */
function Count({ item }: { item: Named }) {
  return item.windowCount === undefined ? null : <span className="count">{plural(item.windowCount, 'window')}</span>;
}

export function GroupsPage({ live }: { live: number }) {
  return (
    <div className="grid">
      <NamedList kind="group" permission="group:manage" live={live} />
      <NamedList kind="tag" permission="tag:manage" live={live} />
    </div>
  );
}
