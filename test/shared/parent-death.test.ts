// setParentDeathSignal: a process that asks for SIGKILL on its parent's death dies when that
// parent is SIGKILLed (one that does not ask lives on), and the call tells when the expected
// parent is already gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { native, ADDON_DIR } from '../../src/shared/native.js';

/** Alive and not a zombie (an orphan is reaped by whoever adopted it, perhaps not at once). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Starts a parent process that spawns a grandchild; the grandchild calls setParentDeathSignal
 * (when `arm`) and reports; the parent prints `<grandchild pid> <result>`.
 */
async function family(arm: boolean): Promise<{ parent: ReturnType<typeof spawn>; grandchild: number; armed: string }> {
  const grandchild = `const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});
    const r = ${arm} ? addon.setParentDeathSignal(9, process.ppid) : 'unarmed';
    console.log(String(r)); setInterval(() => {}, 1000);`;
  const parent = spawn(
    process.execPath,
    ['-e', `const c = require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: ['ignore', 'pipe', 'inherit'] });
            c.stdout.once('data', (d) => console.log(c.pid + ' ' + d.toString().trim()));
            setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const [pid, armed] = line.toString().trim().split(' ');
  return { parent, grandchild: Number(pid), armed };
}

test('a process with the parent-death signal set dies when its parent is SIGKILLed', async () => {
  const { parent, grandchild, armed } = await family(true);
  try {
    assert.equal(armed, 'true', 'its parent was alive at the call');
    assert.ok(running(grandchild));
    parent.kill('SIGKILL');
    const t0 = Date.now();
    while (running(grandchild) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    assert.ok(!running(grandchild), 'the grandchild outlived its parent');
  } finally {
    parent.kill('SIGKILL');
    try { process.kill(grandchild, 'SIGKILL'); } catch { /* already gone */ }
  }
});

test('without it, the grandchild outlives its parent (so the signal is what killed it above)', async () => {
  const { parent, grandchild, armed } = await family(false);
  try {
    assert.equal(armed, 'unarmed');
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(running(grandchild));
  } finally {
    try { process.kill(grandchild, 'SIGKILL'); } catch { /* already gone */ }
  }
});

test('it returns false when the expected parent is not the parent any more', async () => {
  // Run in a child so the signal stays unset in the test process itself.
  const child = spawn(process.execPath, ['-e', `const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});
    console.log(JSON.stringify([addon.setParentDeathSignal(0, process.ppid + 1), addon.setParentDeathSignal(0, process.ppid)]));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.deepEqual(JSON.parse(line.toString()), [false, true]);
  assert.throws(() => native().setParentDeathSignal(-1, process.ppid), RangeError);
});
