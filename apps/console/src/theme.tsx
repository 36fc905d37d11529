import { useState } from 'react';

const KEY = 'cos.console.theme';
type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };
const LABEL: Record<Theme, string> = { system: 'Theme: system', dark: 'Theme: dark', light: 'Theme: light' };

function stored(): Theme {
  const kept = localStorage.getItem(KEY);
  return kept === 'light' || kept === 'dark' ? kept : 'system';
}

/** Sets the page's theme before the first paint (the system's unless this browser chose one). */
export function applyStoredTheme(): void {
  const theme = stored();
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.dataset.theme = theme;
}

/** Cycles the theme: the system's, dark, light; kept in this browser. */
export function ThemeButton() {
  const [theme, setTheme] = useState<Theme>(stored);
  return (
    <button
      type="button"
      className="ghost"
      aria-label={`${LABEL[theme]} (change)`}
      onClick={() => {
        const next = NEXT[theme];
        if (next === 'system') localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, next);
        setTheme(next);
        applyStoredTheme();
      }}
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} {LABEL[theme]}
    </button>
  );
}
