/**
 * The theme this browser chose for the console, kept in localStorage under KEY; the page's first
 * script (THEME_SCRIPT, vite.config.mts) reads the same key to set it before anything is drawn.
 */
const KEY = 'cos.console.theme';
export type Theme = 'system' | 'light' | 'dark';

export function storedTheme(): Theme {
  const kept = localStorage.getItem(KEY);
  return kept === 'light' || kept === 'dark' ? kept : 'system';
}

export function storeTheme(theme: Theme): void {
  if (theme === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, theme);
}

/** Sets the page's theme (the system's unless this browser chose one), as the page's first script does on load. */
export function applyStoredTheme(): void {
  const theme = storedTheme();
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.dataset.theme = theme;
}
