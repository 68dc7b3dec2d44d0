/**
 * After `tsc`: each worker entry in dist/pool/worker becomes one file holding the pool's worker runtime, so a
 * fresh worker loads one module where it loaded ten (module loading is most of a worker's start-up after
 * Node's own). Modules whose state a task module may share stay separate, imported from their own files:
 * dist/shared (segments, the addon), dist/sync (held locks) and the TypeScript loader. Without esbuild the
 * entries stay as tsc wrote them: they work the same, only start a little slower.
 *
 *   node scripts/bundle-workers.mjs [distDir]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url)));
const workerDir = path.join(dist, 'pool', 'worker');
const ENTRIES = ['thread-entry.js', 'process-entry.js'];
/** Kept out of the bundle: state that must be one per thread, whoever imports it. */
const SEPARATE = [path.join(dist, 'shared') + path.sep, path.join(dist, 'sync') + path.sep, path.join(workerDir, 'typescript.js')];

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (error) {
  console.warn(`bundle-workers: esbuild is not installed (${error.code ?? error.message}); the worker entries stay unbundled`);
  process.exit(0);
}

const keepSeparate = {
  name: 'keep-separate',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!SEPARATE.some((kept) => (kept.endsWith(path.sep) ? target.startsWith(kept) : target === kept))) return undefined;
      // Imported as written from the bundle's own folder, where the bundle replaces the entry.
      const relative = path.relative(workerDir, target).split(path.sep).join('/');
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
};

for (const entry of ENTRIES) {
  const file = path.join(workerDir, entry);
  if (!existsSync(file)) throw new Error(`bundle-workers: ${file} is missing; run tsc first`);
  await esbuild.build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['node:*'],
    plugins: [keepSeparate],
    legalComments: 'none',
    logLevel: 'warning',
  });
}
