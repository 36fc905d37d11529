// The page's entry: a few kilobytes that start the session's first calls (first-load.ts), then the console itself,
// which the page has been fetching since it was parsed (a modulepreload link). The theme is set before this runs
// (THEME_SCRIPT in vite.config.mts, the page's first script).
import './first-load';

void import('./main');
