/** Vega, Vega-Lite and vega-embed, read from node_modules to be inlined, so a page that draws charts opens offline. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { scriptSafe } from './escape.js';

const require = createRequire(import.meta.url);

/** The browser (UMD) builds, found next to each package's main file. */
function browserBuild(pkg: string, file: string): string {
  return readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8');
}

let libraries: string | undefined;
/** The three libraries as inline `<script>` elements (read once per process). */
export function inlineLibraries(): string {
  libraries ??= [
    browserBuild('vega', 'vega.min.js'),
    browserBuild('vega-lite', 'vega-lite.min.js'),
    browserBuild('vega-embed', 'vega-embed.min.js'),
  ]
    .map((code) => `<script>${scriptSafe(code)}</script>`)
    .join('\n');
  return libraries;
}
