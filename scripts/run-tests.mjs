#!/usr/bin/env node
// Runs every test file under test/ with Node's own test runner, TypeScript loaded through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

// Arguments: path fragments to run (none: every file), and `--exclude <fragment>` to leave files out.
const filter = [];
const exclude = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--exclude') {
    if (args[i + 1] === undefined) {
      console.error('run-tests: --exclude needs a path fragment');
      process.exit(2);
    }
    exclude.push(args[++i]);
  } else filter.push(args[i]);
}
const files = findTests('test')
  .filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)))
  .filter((f) => !exclude.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error(`run-tests: no test file matches ${args.join(' ')}`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
