import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { Run, RunOptions } from './ui';

/**
 * A button whose action waits for a yes: it asks `title` (what will happen, to what), says `body`
 * (what cannot be taken back), and runs only on `confirmLabel`. Cancel has the focus first, so
 * Enter on a stray press changes nothing.
 */
export function ConfirmButton(props: {
  run: Run;
  /** What the page's status line calls the action ("Delete Shop 1 for good"). */
  what: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  /** Styled as a destructive action. */
  danger?: boolean;
  action: () => Promise<unknown>;
  after?: () => void;
  options?: RunOptions;
  disabled?: boolean;
  /** The button's own label; its accessible name when it needs more than its text. */
  children: ReactNode;
  label?: string;
}) {
  const [open, setOpen] = useState(false);
  const confirm = () => {
    setOpen(false);
    void props.run(props.what, props.action, props.options).then(props.after);
  };
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <button type="button" disabled={props.disabled} aria-label={props.label} className={props.danger ? 'danger' : undefined}>
          {props.children}
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="backdrop">
          <AlertDialog.Content className="dialog confirm">
            <AlertDialog.Title className="confirm-title">{props.title}</AlertDialog.Title>
            <AlertDialog.Description className="confirm-body">{props.body}</AlertDialog.Description>
            <div className="confirm-buttons">
              <AlertDialog.Cancel>Cancel</AlertDialog.Cancel>
              <AlertDialog.Action className={props.danger ? 'danger' : undefined} onClick={confirm}>
                {props.confirmLabel}
              </AlertDialog.Action>
            </div>
          </AlertDialog.Content>
        </AlertDialog.Overlay>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
