import { lazy, Suspense, useState } from 'react';
import type { ReactNode } from 'react';
import type { Run } from '../ui';
import { proxyText } from './saved-proxy';
import type { SavedProxyName } from './saved-proxy';
import type { Named, WindowRow } from './window-changes';

// The menus (Radix, with their positioning) load when a row's menu is first used.
const TagsMenu = lazy(() => import('./window-menus').then((m) => ({ default: m.TagsMenu })));
const ProxyMenu = lazy(() => import('./window-menus').then((m) => ({ default: m.ProxyMenu })));
/**
 * A menu in a table row: a plain button until it is first used, then the menu, opened at once.
 * A row of a long list mounts no menu machinery while it scrolls by, and the page loads none
 * until a menu is used.
 */
function RowMenu(props: { label: string; className: string; text: ReactNode; menu: (trigger: ReactNode) => ReactNode }) {
  const [used, setUsed] = useState(false);
  const plain = (
    <button type="button" className={props.className} aria-label={props.label} aria-haspopup="menu" onClick={() => setUsed(true)}>
      {props.text}
    </button>
  );
  return used ? <Suspense fallback={plain}>{props.menu(props.text)}</Suspense> : plain;
}

/** A window's tags in its row, each ticked on or off from a menu of the team's tags. */
export function TagsCell(props: { window: WindowRow; tags: Named[] | undefined; mayChange: boolean; run: Run; after: () => void }) {
  const { window: w } = props;
  const names = w.tags.map((t) => (
    <span className="chip" key={t.id}>
      {t.name}
    </span>
  ));
  // A cell too narrow for every chip cuts the last ones: its title names them all.
  const all = w.tags.map((t) => t.name).join(', ') || undefined;
  if (!props.mayChange || !props.tags?.length)
    return (
      <span className="chips" title={all}>
        {names}
      </span>
    );
  const label = `Tags of ${w.name}`;
  // The menu's button comes first, so chips a narrow cell cuts never take it out of reach.
  return (
    <span className="chips" title={all}>
      <RowMenu
        className="ghost"
        label={label}
        text={w.tags.length ? '✎' : '+ Tag'}
        menu={(text) => <TagsMenu window={w} tags={props.tags!} label={label} text={text} run={props.run} after={props.after} />}
      />
      {names}
    </span>
  );
}

/** A window's proxy in its row, with a menu to bind it to a saved team proxy (or to none). */
export function ProxyCell(props: {
  window: WindowRow;
  saved: SavedProxyName[] | undefined;
  mayChange: boolean;
  run: Run;
  after: () => void;
}) {
  const { window: w } = props;
  const text = proxyText(w, props.saved);
  if (!props.mayChange || !props.saved) return <>{text}</>;
  const label = `Proxy of ${w.name}: ${text}`;
  return (
    <RowMenu
      className="ghost cell-menu"
      label={label}
      text={
        <>
          <span className="cell-text">{text}</span>
          <span aria-hidden="true">▾</span>
        </>
      }
      menu={(shown) => <ProxyMenu window={w} saved={props.saved!} label={label} text={shown} run={props.run} after={props.after} />}
    />
  );
}
