import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * axe-core's findings on `page` (or inside `within`) that block or badly hinder someone using a
 * screen reader or a keyboard: impact serious or critical, one line per element, naming the rule,
 * the element and what the rule asks.
 */
export async function seriousViolations(page: Page, within?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (within) builder.include(within);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact}) at ${node.target.join(' ')}: ${v.help}`));
}

/** At a phone's width the page as a whole must not scroll sideways (a wide table scrolls inside its own box). */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  return scrollWidth <= innerWidth + 1 ? [] : [`the page scrolls sideways: ${scrollWidth} px wide in a ${innerWidth} px viewport`];
}

/**
 * At a desktop's width every table fits its column: none scrolls inside its own box, so no
 * column (a row's actions are the last one) is hidden to the right. A table whose last column
 * stays pinned in view at the right edge (the windows list, wider columns scrolling under it)
 * may scroll.
 */
export async function tablesScrolledSideways(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('table')).flatMap((table) => {
      let box: HTMLElement | null = table.parentElement;
      while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
      if (!box || box.scrollWidth <= box.clientWidth + 1) return [];
      const last = table.querySelector('thead tr th:last-child');
      const pinned = last && getComputedStyle(last).position === 'sticky' && getComputedStyle(last).right === '0px';
      if (pinned && last.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1) return [];
      const name = table.getAttribute('aria-label') ?? table.querySelector('caption')?.textContent ?? 'a table';
      return [`table "${name}" scrolls sideways: ${box.scrollWidth} px in a ${box.clientWidth} px box`];
    }),
  );
}
