/**
 * Function positions in a CPU profile as the author wrote them. A TypeScript module loaded through tsx runs as
 * the code esbuild made of it, a single line with an inline source map, so the profiler puts every function
 * of `tasks.ts` at line 1. With Node's source-map support on before the module loads, Node keeps that map, and
 * each call frame can be moved back to its line and column in the source. JavaScript and type-stripped
 * modules have no map and keep their positions (stripping leaves them where they were).
 */
import { findSourceMap, type SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CpuProfile } from './summary.js';

/** Turns on Node's source-map support in this thread, so modules loaded from now on keep their maps. */
export function keepSourceMaps(): void {
  process.setSourceMapsEnabled(true);
}

/** Moves every call frame of `profile` to its position in the original source, where a source map says it. */
export function toSourcePositions(profile: CpuProfile): CpuProfile {
  const maps = new Map<string, SourceMap | undefined>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    if (!frame.url || frame.lineNumber < 0) continue;
    if (!maps.has(frame.url)) maps.set(frame.url, mapOf(frame.url));
    const map = maps.get(frame.url);
    if (!map) continue;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as { originalLine?: number; originalColumn?: number };
    if (entry.originalLine === undefined) continue;
    frame.lineNumber = entry.originalLine;
    frame.columnNumber = entry.originalColumn;
  }
  return profile;
}

/** The source map Node kept for a script, looked up by its URL, then by its path. */
function mapOf(url: string): SourceMap | undefined {
  const byUrl = findSourceMap(url);
  if (byUrl || !url.startsWith('file:')) return byUrl;
  try {
    return findSourceMap(fileURLToPath(url));
  } catch {
    return undefined;
  }
}
