/**
 * After `tsc`: each worker entry in dist/pool/worker becomes one file holding the pool's worker runtime, so a
 * fresh worker loads one module where it loaded ten (module loading is most of a worker's start-up after
 * Node's own). Modules whose state a task module may share stay separate, imported from their own files:
 * dist/shared (segments, the addon), dist/sync (held locks) and the TypeScript loader. Without esbuild the
 * entries stay as tsc wrote them: they work the same, only start a little slower.
 *
 *   node scripts/bundle-workers.mjs [distDir]
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The real path: esbuild resolves symlinks, and the check below compares its paths with these.
const dist = realpathSync(path.resolve(process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url))));
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

const isSeparate = (file) => SEPARATE.some((kept) => (kept.endsWith(path.sep) ? file.startsWith(kept) : file === kept));

const keepSeparate = {
  name: 'keep-separate',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!isSeparate(target)) return undefined;
      // Imported as written from the bundle's own folder, where the bundle replaces the entry.
      const relative = path.relative(workerDir, target).split(path.sep).join('/');
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
};

for (const entry of ENTRIES) {
  const file = path.join(workerDir, entry);
  if (!existsSync(file)) throw new Error(`bundle-workers: ${file} is missing; run tsc first`);
  let result;
  try {
    // Written only when the build succeeds: on failure the entry stays as tsc wrote it.
    result = await esbuild.build({
      entryPoints: [file],
      outfile: file,
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['node:*'],
      plugins: [keepSeparate],
      metafile: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
  } catch (error) {
    // E.g. esbuild's package is there but its platform binary is not (installed with --omit=optional).
    console.warn(`bundle-workers: esbuild could not bundle ${entry} (${String(error.message).split('\n')[0]}); it stays unbundled`);
    continue;
  }
  // A module kept separate that ended up inside the bundle would give the runtime its own copy of its state.
  const inside = Object.keys(result.metafile.inputs).map((input) => path.resolve(input)).filter(isSeparate);
  if (inside.length > 0) throw new Error(`bundle-workers: ${entry} took in modules that must stay separate: ${inside.join(', ')}`);
}
