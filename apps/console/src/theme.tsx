import { useState } from 'react';
import { applyStoredTheme, storedTheme, storeTheme } from './theme-store';
import type { Theme } from './theme-store';

const NEXT: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };
const LABEL: Record<Theme, string> = { system: 'Theme: system', dark: 'Theme: dark', light: 'Theme: light' };

/** Cycles the theme: the system's, dark, light; kept in this browser. */
export function ThemeButton() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <button
      type="button"
      className="ghost"
      aria-label={`${LABEL[theme]} (change)`}
      onClick={() => {
        const next = NEXT[theme];
        storeTheme(next);
        setTheme(next);
        applyStoredTheme();
      }}
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} {LABEL[theme]}
    </button>
  );
}
