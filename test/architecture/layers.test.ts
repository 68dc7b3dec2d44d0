/**
 * The layering of src/, read from the code's own imports: the bottom layers (pool, cluster, shared, sync)
 * import nothing from the layers built on them, nothing imports the root index.ts, and no import
 * loop spans more than one folder.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ROOT_INDEX = 'index.ts';
const BOTTOM = ['pool', 'cluster', 'shared', 'sync'];
const UPPER = ['bench', 'fl', 'profile', 'playbook', 'cli', 'report'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every file of src/ (as a path relative to src/, with '/') and the src/ files it imports or re-exports from. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const path of sourceFiles(SRC)) {
    const from = relative(SRC, path).split(sep).join('/');
    // The compiler's own scanner: static imports, `import type`, `export ... from` and import('...').
    const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    const targets: string[] = [];
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(path), fileName.replace(/\.js$/, '.ts'))).split(sep).join('/');
      if (!target.startsWith('..')) targets.push(target);
    }
    graph.set(from, targets);
  }
  return graph;
}

/** The top folder of a src/ file: 'pool' for pool/backends/thread.ts, '.' for index.ts. */
const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

/** Strongly connected components with more than one file (Tarjan), i.e. the import loops. */
function importLoops(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const loop: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        loop.push(member);
      } while (member !== file);
      if (loop.length > 1) loops.push(loop.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return loops;
}

describe('layers of src/', () => {
  const graph = importGraph();

  it('reads the import graph, and finds a loop where there is one', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files found under ${SRC}`);
    assert.ok(graph.get('pool/pool.ts')!.includes('pool/worker-set.ts'));
    const looped = new Map([
      ['pool/a.ts', ['playbook/b.ts']],
      ['playbook/b.ts', ['profile/c.ts', 'pool/d.ts']],
      ['profile/c.ts', ['pool/a.ts']],
      ['pool/d.ts', []],
    ]);
    assert.deepEqual(importLoops(looped), [['playbook/b.ts', 'pool/a.ts', 'profile/c.ts']]);
  });

  it('keeps pool, cluster, shared and sync free of imports from the layers above them', () => {
    const broken: string[] = [];
    for (const [file, targets] of graph) {
      if (!BOTTOM.includes(folderOf(file))) continue;
      for (const target of targets) if (UPPER.includes(folderOf(target))) broken.push(`${file} -> ${target}`);
    }
    assert.deepEqual(broken, []);
  });

  it('keeps report, shared by the study, FL and profile pages, free of imports from them and the cli', () => {
    const broken = [...graph].flatMap(([file, targets]) =>
      folderOf(file) !== 'report' ? [] : targets.filter((t) => UPPER.includes(folderOf(t)) && folderOf(t) !== 'report').map((t) => `${file} -> ${t}`),
    );
    assert.deepEqual(broken, []);
  });

  it('has no file importing the root index.ts', () => {
    const broken = [...graph].flatMap(([file, targets]) => (targets.includes(ROOT_INDEX) ? [file] : []));
    assert.deepEqual(broken, []);
  });

  it('has no import loop spanning more than one folder', () => {
    const spanning = importLoops(graph)
      .filter((loop) => new Set(loop.map(folderOf)).size > 1)
      .map((loop) => `${loop.length} files: ${loop.join(', ')}`);
    assert.deepEqual(spanning, []);
  });
});
