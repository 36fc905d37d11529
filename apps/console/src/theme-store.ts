/** The theme this browser chose for the console, kept in localStorage; no React, so the page's entry can apply it first. */
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

/**
 * applyStoredTheme as the page's first script: inline in its head (vite.config.mts), let in by its
 * hash (the cloud's page policy), so the chosen theme is set before anything of the page is drawn.
 */
export const THEME_SCRIPT = `try{var t=localStorage.getItem(${JSON.stringify(KEY)});if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

/** Sets the page's theme (the system's unless this browser chose one), as the page's first script does on load. */
export function applyStoredTheme(): void {
  const theme = storedTheme();
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.dataset.theme = theme;
}
