/**
 * Process workers die with their parent: SIGKILL or SIGTERM the program that owns a process pool while
 * its worker is busy (a 30 s task, an endless loop), and no worker is left 2 s later. Both ways a worker
 * watches its parent are tried: the kernel's parent-death signal (native addon) and the watchdog thread.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const PROGRAM = new URL('../fixtures/parent-of-workers.ts', import.meta.url).pathname;

/** Whether a process is still there (a zombie waiting for a reaper counts as gone: it runs nothing). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function orphanAfter(signal: 'SIGKILL' | 'SIGTERM', task: 'spin' | 'hang', watch: 'auto' | 'poll'): Promise<{ worker: number; left: boolean; parentSignal: string | null }> {
  const env = { ...process.env, ...(watch === 'poll' ? { WEFT_PARENT_WATCH: 'poll' } : {}) };
  const parent = spawn(process.execPath, ['--import', 'tsx', PROGRAM, task], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<string | null>((resolve) => parent.once('exit', (_code, sig) => resolve(sig)));
  const worker = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { worker: number }).worker);
    });
    parent.once('exit', () => reject(new Error(`the program exited before its worker started: ${out}`)));
  });
  assert.ok(alive(worker), 'the worker runs');
  parent.kill(signal);
  const parentSignal = await exited;
  const deadline = Date.now() + 2000;
  while (alive(worker) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const left = alive(worker);
  if (left) process.kill(worker, 'SIGKILL');
  return { worker, left, parentSignal };
}

describe('process workers die with their parent', () => {
  for (const watch of ['auto', 'poll'] as const) {
    for (const task of ['spin', 'hang'] as const) {
      it(`SIGKILL, worker in ${task === 'spin' ? 'a 30 s task' : 'an endless loop'} (${watch === 'auto' ? 'parent-death signal' : 'watchdog thread'})`, async () => {
        const { left } = await orphanAfter('SIGKILL', task, watch);
        assert.equal(left, false, 'the worker outlived its parent by 2 s');
      });
    }
  }

  it('SIGTERM to a program without its own listener: workers end, and the program still dies of SIGTERM', async () => {
    const { left, parentSignal } = await orphanAfter('SIGTERM', 'hang', 'auto');
    assert.equal(left, false, 'the worker outlived its parent by 2 s');
    assert.equal(parentSignal, 'SIGTERM');
  });
});
