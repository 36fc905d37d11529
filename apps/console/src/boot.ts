// The page's entry: a few kilobytes that set the chosen theme and start the session's first calls (first-load.ts), then the
// console itself, which the page has been fetching since it was parsed (a modulepreload link).
import { applyStoredTheme } from './theme-store';
import './first-load';

applyStoredTheme();

void import('./main');
