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

/** The most windows one batch write names (the cloud's limit). */
const IDS_PER_CALL = 1000;

/**
 * Puts a tag on windows or takes it off. The cloud adds or removes it where each window's tags are
 * when it writes, so the other tags stay as they are then: a tag added a moment before (whose row
 * here is not read again yet) or by a teammate meanwhile is kept.
 */
async function changeTag(windows: WindowRow[], tagId: number, on: boolean): Promise<void> {
  const ids = windows.map((w) => w.id);
  for (let from = 0; from < ids.length; from += IDS_PER_CALL) {
    await api('/browser/update/partial', { ids: ids.slice(from, from + IDS_PER_CALL), [on ? 'addTagIds' : 'removeTagIds']: [tagId] });
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
              .run(`${on ? 'Tag' : 'Untag'} ${w.name} ${on ? 'with' : 'from'} ${t.name}`, () => changeTag([w], t.id, on))
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
                onSelect={() => void props.run(`Tag ${who} with ${t.name}`, () => changeTag(windows, t.id, true)).then(props.after)}
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
                onSelect={() => void props.run(`Untag ${who} from ${t.name}`, () => changeTag(windows, t.id, false)).then(props.after)}
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
