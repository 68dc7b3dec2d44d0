/**
 * Finds a worker entry file next to this module. Under tsx the pool runs from `src/` as `.ts`,
 * compiled it runs from `dist/` as `.js`; the entry must match, since only one of them exists.
 */
export function workerEntryUrl(file: 'thread-entry' | 'process-entry'): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../worker/${file}${ext}`, import.meta.url);
}
