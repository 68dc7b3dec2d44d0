/** `weft advise` through commander: flags, timing a module, and clear messages for bad flags. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { register } from '../../src/cli/advise.js';

/** Runs `weft advise ...args` and returns what it printed, or the error it stopped with. */
const run = promisify(execFile);

async function advise(...args: string[]): Promise<{ out: string; error?: string }> {
  const program = new Command('weft').exitOverride();
  let out = '';
  let err = '';
  program.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  register(program, { write: (s: string) => (out += s) });
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  try {
    await program.parseAsync(['advise', ...args], { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error: error instanceof CommanderError ? err.trim() : (error as Error).message };
  }
}

test('from flags: the recommendation, the path through the chart, the figures and their commands', async () => {
  const { out, error } = await advise('--cpu-bound', '--shared-data', '800');
  assert.equal(error, undefined);
  assert.match(out, /^Recommendation: worker threads sharing the data/);
  assert.match(out, /5\. shared data: 800 MB \(yes\)/);
  assert.match(out, /threads \(SharedArrayBuffer\) 7\.91 ms, processes copying slices 189 ms/);
  assert.match(out, /\$ weft bench array-sum --workers 1,2/);
});

test('--json prints the advice as data', async () => {
  const { out } = await advise('--io-bound', '--json');
  assert.equal(JSON.parse(out).chart.recommendation, 'event-loop');
});

test('bad flags get clear messages', async () => {
  assert.match((await advise('--machines', 'two')).error!, /--machines <n>' argument 'two' is invalid\. expected a whole number of at least 1/);
  assert.match((await advise('--shared-data', '-5')).error!, /expected a size in MB/);
  assert.match((await advise('--module', 'x.js', '--task', 't', '--args', '{"a":1}')).error!, /expected a JSON array of arguments such as '\[0, 2000000\]', got an object/);
  assert.match((await advise('--args', 'nope')).error!, /expected a JSON array/);
  assert.match((await advise()).error!, /say something about the workload \(--io-bound, --cpu-bound/);
  assert.match((await advise('--task', 'countPrimes')).error!, /--task needs --module/);
  assert.match((await advise('--module', 'tasks.js')).error!, /--module needs --task/);
  assert.match((await advise('--rounds', '2')).error!, /only apply when timing a task/);
  assert.match((await advise('--bogus')).error!, /unknown option '--bogus'/);
});

test('timing a module: a chunk of the primes case (below 250k) goes to a parallel backend, with the figures', async () => {
  const module = fileURLToPath(new URL('../../src/bench/cases/primes-task.ts', import.meta.url));
  const { out, error } = await advise('--module', module, '--task', 'countPrimes', '--args', '[0, 250000]', '--workers', '2', '--cpu-bound');
  assert.equal(error, undefined);
  assert.match(out, /it returned 22044\)/);
  // About 10 ms a call: inline is ruled out (it would block the event loop); which of threads and
  // processes wins is measured, five calls each, and on a busy machine either may (the rule itself
  // is tested with given figures in test/playbook).
  const chosen = out.match(/countPrimes: -> (thread|process) /)?.[1];
  assert.ok(chosen, out);
  assert.match(out, /\n {2}inline .*\(ruled out\)/);
  assert.match(out, /\n {2}process +\d+ /);
  assert.match(out, new RegExp(`Measured recommendation: ${chosen}: `));
  assert.match(out, /From the flags:\nRecommendation: worker threads/);
});

test('timing a task that throws reports its error', async () => {
  const module = fileURLToPath(new URL('../fixtures/tasks.ts', import.meta.url));
  assert.match((await advise('--module', module, '--task', 'fail', '--args', '["nope"]')).error!, /task 'fail' threw on inline-1: RangeError: nope/);
  assert.match((await advise('--module', module, '--task', 'missing')).error!, /missing/);
});

test("the help's --module example runs as written in a project holding the README quick start's tasks.ts", async () => {
  const { out: help } = await advise('--help');
  const example = help.match(/weft advise (--module (\S+) --task (\S+) --args '([^']+)')/);
  assert.ok(example, help);
  const [, , modulePath, task, args] = example;
  const project = mkdtempSync(join(tmpdir(), 'weft-advise-'));
  try {
    copyFileSync(fileURLToPath(new URL('../../scripts/consumer/readme/esm/tasks.ts', import.meta.url)), join(project, modulePath));
    const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    const { stdout } = await run(process.execPath, [cli, 'advise', '--module', modulePath, '--task', task, '--args', args, '--rounds', '1'], { cwd: project, timeout: 120_000 });
    assert.match(stdout, new RegExp(`${task}: -> (inline|thread|process) `));
    assert.match(stdout, /it returned 148933\)/);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
