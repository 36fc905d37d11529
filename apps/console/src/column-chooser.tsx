import * as Menu from '@radix-ui/react-dropdown-menu';
import { useState } from 'react';

/** Which of a list's columns show, kept in this browser under `key`; `fixed` columns always show. */
export function useColumnChoice(key: string, all: string[], hiddenAtFirst: string[]) {
  const [hidden, setHidden] = useState<string[]>(() => {
    try {
      const kept: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
      return Array.isArray(kept) ? kept.filter((id): id is string => typeof id === 'string' && all.includes(id)) : hiddenAtFirst;
    } catch {
      return hiddenAtFirst;
    }
  });
  const toggle = (id: string, show: boolean) => {
    const next = show ? hidden.filter((h) => h !== id) : [...hidden, id];
    localStorage.setItem(key, JSON.stringify(next));
    setHidden(next);
  };
  return { shows: (id: string) => !hidden.includes(id), toggle };
}

/** A menu of the columns a list may show, each ticked on or off. */
export function ColumnChooser(props: {
  columns: { id: string; header: string }[];
  shows: (id: string) => boolean;
  toggle: (id: string, show: boolean) => void;
}) {
  return (
    <Menu.Root>
      <Menu.Trigger>Columns ▾</Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu" aria-label="Columns to show" sideOffset={4} align="end" collisionPadding={8}>
          {props.columns.map((c) => (
            <Menu.CheckboxItem
              key={c.id}
              className="menu-item"
              checked={props.shows(c.id)}
              onSelect={(e) => e.preventDefault()}
              onCheckedChange={(on) => props.toggle(c.id, on)}
            >
              <Menu.ItemIndicator className="tick">✓</Menu.ItemIndicator>
              {c.header}
            </Menu.CheckboxItem>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
