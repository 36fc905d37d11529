// The page's entry: a few kilobytes that start the session's first calls (first-load.ts), then the
// console itself, which the page has been fetching since it was parsed (a modulepreload link).
import './first-load';

void import('./main');
