import type { Locator, Page } from 'playwright-core';

/** A short description of the focused element: tag, role, accessible name as the page gives it. */
export function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '(body)';
    const name = el.getAttribute('aria-label') ?? (el as HTMLElement).innerText?.trim().slice(0, 40) ?? '';
    const role = el.getAttribute('role');
    return `${el.tagName.toLowerCase()}${role ? `[role=${role}]` : ''}${name ? ` "${name}"` : ''}`;
  });
}

export const isFocused = (locator: Locator): Promise<boolean> => locator.evaluate((el) => el === document.activeElement).catch(() => false);

/**
 * Where the focus is once it has come back to `locator`, or after `ms` if it never does: a closing
 * dialog gives the focus back a task after it leaves the page, so asking at once races with it.
 */
export async function focusAfterClose(page: Page, locator: Locator, ms = 5_000): Promise<string> {
  await locator
    .evaluate(
      (el, ms) =>
        new Promise<void>((resolve) => {
          const until = performance.now() + ms;
          const check = () => (el === document.activeElement || performance.now() > until ? resolve() : setTimeout(check, 10));
          check();
        }),
      ms,
    )
    .catch(() => undefined);
  return describeFocus(page);
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until `locator` has the focus, as a keyboard user
 * would; fails with every element the focus went through when `max` presses do not reach it.
 */
export async function tabTo(page: Page, locator: Locator, max = 80, backwards = false): Promise<void> {
  const path: string[] = [];
  for (let i = 0; i < max; i++) {
    if (await isFocused(locator)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    path.push(await describeFocus(page));
  }
  if (await isFocused(locator)) return;
  throw new Error(
    `${max} presses of ${backwards ? 'Shift+Tab' : 'Tab'} did not reach ${String(locator)}; the focus went through:\n  ${path.join('\n  ')}`,
  );
}
