/**
 * Importing a TypeScript module with whatever this Node can use: its own type stripping (on by default from
 * Node 22.18 and 23.6), else tsx when it is installed, else an error that says which file, what Node refused and
 * how to fix it. A worker does not inherit a loader that its parent registered in code, so every worker (and
 * `weft profile`'s launcher) goes through here.
 *
 * The order: a plain import first (it works for JavaScript, for TypeScript that Node strips, and when a loader is
 * already active through execArgv); if Node refuses the file for being TypeScript, tsx is looked up from the
 * module's own directory, then the working directory, then weft's own location (tsx is not a dependency of
 * weft, so in an installed weft it is the user's project that has it), registered, and the import tried again.
 * Every worker imports this module, and most never need tsx: `node:fs` is taken where tsx is looked for.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Why Node would not load a TypeScript file, read from the error it threw. */
export interface TypeScriptRefusal {
  /** The file Node refused (the module itself or one it imports). */
  file: string;
  /** 'extension': Node does not strip types (too old, turned off, or `.tsx`); 'syntax': strip-only mode met `construct`; 'node_modules': Node never strips there. */
  kind: 'extension' | 'syntax' | 'node_modules';
  /** What Node refused, in its words: "enum", "namespace declaration", "parameter property"... */
  construct?: string;
}

/** Thrown when no loader can run a TypeScript module; its message names the file, the refusal and the fix. */
export class TypeScriptLoadError extends Error {
  readonly code = 'WEFT_TYPESCRIPT_UNSUPPORTED';
  readonly file: string;
  readonly construct: string | undefined;
  constructor(refusal: TypeScriptRefusal, searched: readonly string[]) {
    super(explain(refusal, searched));
    this.name = 'TypeScriptLoadError';
    this.file = refusal.file;
    this.construct = refusal.construct;
  }
}

/** `import(url)`, with tsx as the fallback when Node refuses a TypeScript file. */
export async function importWithTypeScript(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const refusal = typeScriptRefusal(error, url);
    if (!refusal) throw error;
    const searched = tsxSearchDirs(url);
    const tsx = findTsx(searched);
    if (!tsx) throw new TypeScriptLoadError(refusal, searched);
    // Both of tsx's hooks, as `--import tsx` installs them: with the ESM hooks alone, a .ts file that a
    // CommonJS package scope makes CommonJS reaches Node's require(esm) (on by default from Node 20.19),
    // which refuses it as "in a cycle".
    for (const api of tsx) ((await import(api)) as { register: () => unknown }).register();
    // Node remembers the failed import of this exact URL, so the retry needs another one. A fragment, not a
    // query: tsx resolves a CommonJS-format .ts file through require(), which takes a query for part of the name.
    const retry = new URL(url);
    retry.hash = 'weft-ts';
    return (await import(retry.href)) as Record<string, unknown>;
  }
}

/** What Node refused and where, when `error` is Node refusing a TypeScript file; undefined for any other error. */
export function typeScriptRefusal(error: unknown, url: string): TypeScriptRefusal | undefined {
  const { code, message = '', stack = '' } = (error ?? {}) as { code?: unknown; message?: string; stack?: string };
  const fallbackFile = filePath(url) ?? url;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    const match = /Unknown file extension "\.(ts|mts|cts|tsx)" for (.+)$/m.exec(message);
    return match ? { file: match[2], kind: 'extension' } : undefined;
  }
  if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
    // Node's stack starts with "<file>:<line>" and the offending source line; the message names the construct.
    const file = /^(\/[^\n]*?|[A-Za-z]:\\[^\n]*?):\d+\n/.exec(stack)?.[1] ?? fallbackFile;
    const construct = /TypeScript (.+?) is not supported/.exec(message)?.[1];
    return { file, kind: 'syntax', construct };
  }
  if (code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING') {
    const file = /for "?(file:[^"\s]+)/.exec(message)?.[1];
    return { file: file ? fileURLToPath(file) : fallbackFile, kind: 'node_modules' };
  }
  return undefined;
}

/** Where tsx is looked for: the module's directory, the working directory, weft's own location. */
function tsxSearchDirs(url: string): string[] {
  const file = filePath(url);
  return [...new Set([...(file ? [dirname(file)] : []), process.cwd(), dirname(fileURLToPath(import.meta.url))])];
}

/** The path of a `file:` URL without its query and fragment; undefined for other schemes. */
function filePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const bare = new URL(url);
  bare.search = '';
  bare.hash = '';
  return fileURLToPath(bare);
}

/**
 * The URLs of tsx's CommonJS (where it has one) and ESM APIs (`tsx/cjs/api`, `tsx/esm/api`, whose `register()`
 * install its hooks), resolved from the first of `dirs` whose packages include tsx. Not tsx's main entry (what `--import tsx`
 * loads): that one registers nothing in a worker thread on Node 20, where `--import` itself does not reach threads.
 */
function findTsx(dirs: readonly string[]): string[] | undefined {
  for (const dir of dirs) {
    let manifest: string;
    try {
      manifest = createRequire(join(dir, 'noop.js')).resolve('tsx/package.json');
    } catch {
      continue; // Not installed where this directory resolves packages from.
    }
    const exports = (JSON.parse(process.getBuiltinModule('node:fs').readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports;
    const target = (entry: string): string | undefined => {
      const api = exports?.[entry];
      const file = typeof api === 'string' ? api : importTarget(api);
      return file === undefined ? undefined : pathToFileURL(join(dirname(manifest), file)).href;
    };
    // The ESM API is what loading needs; the CommonJS one is taken where this tsx has it.
    const esm = target('./esm/api');
    if (esm) return [target('./cjs/api'), esm].filter((url) => url !== undefined);
  }
  return undefined;
}

/** The file an `exports` entry gives under the `import` condition. */
function importTarget(entry: unknown): string | undefined {
  const conditions = entry as { import?: unknown; default?: unknown } | undefined;
  const target = conditions?.import ?? conditions?.default;
  return typeof target === 'string' ? target : target ? importTarget(target) : undefined;
}

/** Rewrites that make a construct erasable, so Node's stripping can take it. */
const REWRITES: [RegExp, string][] = [
  [/enum/, 'a const object (`const Mode = { Fast: 1 } as const`) instead of the enum'],
  [/namespace|module/, 'plain exports of a module instead of the namespace'],
  [/parameter propert/, 'fields assigned in the constructor instead of parameter properties'],
];

function explain(refusal: TypeScriptRefusal, searched: readonly string[]): string {
  const noTsx = `tsx is not installed where weft looked for it (from ${searched.join(', ')})`;
  const compile = 'or compile it to .js and load that';
  const installTsx = 'install tsx in your project (npm install -D tsx)';
  if (refusal.kind === 'syntax') {
    const construct = refusal.construct ?? 'syntax';
    const rewrite = REWRITES.find(([re]) => re.test(construct))?.[1] ?? 'only erasable TypeScript syntax (what `tsc --erasableSyntaxOnly` accepts)';
    return `${refusal.file} uses TypeScript ${construct}, which Node's type stripping does not support (it only removes types), and ${noTsx}. Fix: ${installTsx}, use ${rewrite}, ${compile}.`;
  }
  if (refusal.kind === 'node_modules') {
    return `${refusal.file} is TypeScript under node_modules, where Node does not strip types, and ${noTsx}. Fix: ${installTsx}, ${compile}.`;
  }
  return `${refusal.file} is TypeScript and ${whyNoStripping(refusal.file)}, and ${noTsx}. Fix: ${installTsx}, ${refusal.file.endsWith('x') ? '' : 'run on Node >= 22.18, '}${compile}.`;
}

/** Why this Node did not strip the types of `file` itself. */
function whyNoStripping(file: string): string {
  if (file.endsWith('.tsx')) return 'Node does not load .tsx files itself';
  const features = process.features as { typescript?: string | false };
  if (features.typescript === undefined) return `Node ${process.version} cannot load it itself (type stripping needs Node >= 22.18, or 23.6)`;
  return `type stripping is turned off in this Node (${process.version}; it is on by default from 22.18 and 23.6, --experimental-strip-types turns it on)`;
}
