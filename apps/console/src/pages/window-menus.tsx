import * as Menu from '@radix-ui/react-dropdown-menu';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../api';
import type { Run } from '../ui';
import { savedProxyLabel } from './saved-proxy';
import type { SavedProxyName } from './saved-proxy';
import type { Named, WindowRow } from './window-changes';

/*
 * The windows page's menus on Radix's dropdown menu (roving focus, typeahead, positioning): a
 * chunk of its own, loaded when a menu is first used.
 */

/**
 * Sets tags on windows whose current tags are known: the cloud's batch write sets one tag list on
 * every window named, so windows are sent together when their new lists are the same.
 */
async function retag(windows: WindowRow[], change: (tagIds: number[]) => number[]): Promise<void> {
  const byList = new Map<string, number[]>();
  for (const w of windows) {
    const next = [...new Set(change(w.tags.map((t) => t.id)))].sort((a, b) => a - b);
    const key = next.join(',');
    byList.set(key, [...(byList.get(key) ?? []), w.id]);
  }
  for (const [key, ids] of byList) {
    await api('/browser/update/partial', { ids, tagIds: key ? key.split(',').map(Number) : [] });
  }
}

function MenuPanel({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Menu.Portal>
      <Menu.Content className="menu" aria-label={label} sideOffset={4} align="start" collisionPadding={8}>
        {children}
      </Menu.Content>
    </Menu.Portal>
  );
}

/** A row's menu, mounted open where its plain button was (see `RowMenu` in window-assign). */
function OpenMenu(props: { label: string; className: string; text: ReactNode; children: ReactNode }) {
  const [open, setOpen] = useState(true);
  return (
    <Menu.Root open={open} onOpenChange={setOpen}>
      <Menu.Trigger className={props.className} aria-label={props.label}>
        {props.text}
      </Menu.Trigger>
      <MenuPanel label={props.label}>{props.children}</MenuPanel>
    </Menu.Root>
  );
}

/** The team's tags, each ticked on or off for one window. */
export function TagsMenu(props: { window: WindowRow; tags: Named[]; label: string; text: ReactNode; run: Run; after: () => void }) {
  const { window: w } = props;
  const has = new Set(w.tags.map((t) => t.id));
  return (
    <OpenMenu className="ghost" label={props.label} text={props.text}>
      {props.tags.map((t) => (
        <Menu.CheckboxItem
          key={t.id}
          className="menu-item"
          checked={has.has(t.id)}
          onSelect={(e) => e.preventDefault()}
          onCheckedChange={(on) =>
            void props
              .run(`${on ? 'Tag' : 'Untag'} ${w.name} ${on ? 'with' : 'from'} ${t.name}`, () =>
                retag([w], (ids) => (on ? [...ids, t.id] : ids.filter((id) => id !== t.id))),
              )
              .then(props.after)
          }
        >
          <Menu.ItemIndicator className="tick">✓</Menu.ItemIndicator>
          {t.name}
        </Menu.CheckboxItem>
      ))}
    </OpenMenu>
  );
}

/** The team's saved proxies (and none), one chosen for one window. */
export function ProxyMenu(props: {
  window: WindowRow;
  saved: SavedProxyName[];
  label: string;
  text: ReactNode;
  run: Run;
  after: () => void;
}) {
  const { window: w } = props;
  return (
    <OpenMenu className="ghost cell-menu" label={props.label} text={props.text}>
      <ProxyChoices
        saved={props.saved}
        current={w.proxyMethod === 4 ? w.proxyId : null}
        onChoose={(proxy) => void props.run(proxyWhat([w], proxy), () => setProxy([w.id], proxy)).then(props.after)}
      />
    </OpenMenu>
  );
}

function proxyWhat(windows: { name: string }[], proxy: SavedProxyName | null): string {
  const who = windows.length === 1 ? windows[0].name : `${windows.length} windows`;
  return proxy ? `Bind ${who} to ${proxy.name}` : `Remove the proxy of ${who}`;
}

function setProxy(ids: number[], proxy: SavedProxyName | null) {
  return api('/browser/proxy/update', proxy ? { ids, proxyMethod: 4, proxyId: proxy.id } : { ids, proxyMethod: 2, proxyType: 'direct' });
}

function ProxyChoices(props: { saved: SavedProxyName[]; current: number | null; onChoose: (proxy: SavedProxyName | null) => void }) {
  return (
    <>
      <Menu.Item className="menu-item" onSelect={() => props.onChoose(null)}>
        No proxy
      </Menu.Item>
      {props.saved.length === 0 && <Menu.Label className="menu-label">No saved proxy: add some on the Proxies page.</Menu.Label>}
      {props.saved.map((p) => (
        <Menu.Item key={p.id} className="menu-item" onSelect={() => props.onChoose(p)}>
          <span className="tick" aria-hidden="true">
            {props.current === p.id ? '✓' : ''}
          </span>
          {savedProxyLabel(p)}
        </Menu.Item>
      ))}
    </>
  );
}

/** Tags and saved proxy for the selected windows at once. */
export function BulkAssign(props: {
  windows: WindowRow[];
  tags: Named[] | undefined;
  saved: SavedProxyName[] | undefined;
  run: Run;
  after: () => void;
}) {
  const { windows } = props;
  const who = `${windows.length} ${windows.length === 1 ? 'window' : 'windows'}`;
  return (
    <>
      {props.tags && props.tags.length > 0 && (
        <Menu.Root>
          <Menu.Trigger>Tags ▾</Menu.Trigger>
          <MenuPanel label={`Tags of the ${who} selected`}>
            <Menu.Label className="menu-label">Add to {who}</Menu.Label>
            {props.tags.map((t) => (
              <Menu.Item
                key={`add-${t.id}`}
                className="menu-item"
                onSelect={() =>
                  void props.run(`Tag ${who} with ${t.name}`, () => retag(windows, (ids) => [...ids, t.id])).then(props.after)
                }
              >
                Add {t.name}
              </Menu.Item>
            ))}
            <Menu.Separator className="menu-separator" />
            <Menu.Label className="menu-label">Remove from {who}</Menu.Label>
            {props.tags.map((t) => (
              <Menu.Item
                key={`remove-${t.id}`}
                className="menu-item"
                onSelect={() =>
                  void props
                    .run(`Untag ${who} from ${t.name}`, () => retag(windows, (ids) => ids.filter((id) => id !== t.id)))
                    .then(props.after)
                }
              >
                Remove {t.name}
              </Menu.Item>
            ))}
          </MenuPanel>
        </Menu.Root>
      )}
      {props.saved && (
        <Menu.Root>
          <Menu.Trigger>Proxy ▾</Menu.Trigger>
          <MenuPanel label={`Proxy of the ${who} selected`}>
            <ProxyChoices
              saved={props.saved}
              current={null}
              onChoose={(proxy) =>
                void props
                  .run(proxyWhat(windows, proxy), () =>
                    setProxy(
                      windows.map((w) => w.id),
                      proxy,
                    ),
                  )
                  .then(props.after)
              }
            />
          </MenuPanel>
        </Menu.Root>
      )}
    </>
  );
}
