/**
 * How `weft profile` starts a TypeScript program: `node --import <preload> <this> <script.ts> args...`. It imports
 * the script the way a worker imports a task module ({@link importWithTypeScript}: Node's own type stripping, tsx
 * from the user's project where Node refuses the file, else an error that names the file and the fix), with
 * `process.argv` as if Node had run the script itself. Nothing of the script runs before its whole static import
 * graph has loaded, so a fallback to tsx never runs any of it twice.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importWithTypeScript, TypeScriptLoadError } from '../pool/worker/typescript.js';

const script = process.argv[2];
if (!script) throw new Error('weft profile: run-script needs the script to run');
const file = resolve(script);
process.argv.splice(1, 2, file);
try {
  await importWithTypeScript(pathToFileURL(file).href);
} catch (error) {
  // Node's own report of the script's errors is the right one; only weft's message needs no stack.
  if (!(error instanceof TypeScriptLoadError)) throw error;
  process.stderr.write(`weft profile: ${error.message}\n`);
  process.exitCode = 1;
}
