import * as RadixDialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import type { ReactNode } from 'react';

/**
 * A modal dialog: focus moves in and stays there, Escape or Close closes it, and focus returns to
 * what opened it. A click outside does not close it (a half-filled form is not lost to a stray click).
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const returnFocus = useFocusReturn();
  return (
    <RadixDialog.Root open onOpenChange={(open) => !open && onClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="backdrop">
          <RadixDialog.Content
            className="dialog"
            aria-describedby={undefined}
            onInteractOutside={(e) => e.preventDefault()}
            onCloseAutoFocus={returnFocus}
          >
            <header>
              <RadixDialog.Title asChild>
                <h2>{title}</h2>
              </RadixDialog.Title>
              <RadixDialog.Close aria-label="Close dialog">×</RadixDialog.Close>
            </header>
            {children}
          </RadixDialog.Content>
        </RadixDialog.Overlay>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/**
 * Where the focus goes back to when a dialog opened without a Radix trigger closes: the element
 * that had it when the dialog first rendered (the button that opened it), if it is still there.
 */
export function useFocusReturn(): (event: Event) => void {
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  return (event) => {
    event.preventDefault();
    if (opener?.isConnected) opener.focus();
  };
}
