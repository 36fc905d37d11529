import * as Menu from '@radix-ui/react-dropdown-menu';
import { useState } from 'react';

/** The columns a list may show, each ticked on or off: Radix's dropdown menu, loaded when first opened (see `ColumnChooser`). */
export function ColumnMenu(props: {
  columns: { id: string; header: string }[];
  shows: (id: string) => boolean;
  toggle: (id: string, show: boolean) => void;
}) {
  const [open, setOpen] = useState(true);
  return (
    <Menu.Root open={open} onOpenChange={setOpen}>
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
