// The sweeper trusts owner locks, not the pid in a segment's name: a live owner in another PID
// namespace keeps its segment, a dead owner's segment goes even when its pid names a live
// process, and an older weft's unlocked segment stays while the process in its name maps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { native, ADDON_DIR } from '../../src/shared/native.js';
import { ownerPidOf, sweepStaleSegments } from '../../src/shared/segment.js';
import { fixture, shmExists, shmPath, startOwnerVia, exitOf } from './helpers.js';

/** Why namespaces cannot be tested here, or undefined when they can. */
function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for unshare --pid';
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) return `unshare --pid --fork --mount-proc fails here: ${probe.error?.message ?? probe.stderr.trim()}`;
  return undefined;
}

async function untilReleased(name: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (native().ownerHeld(name) !== 0 && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 10));
  assert.equal(native().ownerHeld(name), 0, 'the owner lock is released once its process is gone');
}

const unavailable = namespacesUnavailable();

test('a live owner in another PID namespace keeps its segment; once it is killed the sweep takes it', { skip: unavailable }, async () => {
  // Inside, the owner's pid is small (a few forks push it past the namespace's init), and means
  // nothing out here: it may be dead here, or some other process.
  const script = 'for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done; "$0" --import tsx "$1" wait; true';
  const owner = await startOwnerVia('unshare', [
    '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL',
    'sh', '-c', script, process.execPath, fixture('owner.ts'),
  ]);
  try {
    const pid = ownerPidOf(owner.name)!;
    assert.ok(pid < 100 && pid !== owner.child.pid, `the owner is pid ${pid} in its namespace`);
    assert.equal(native().ownerHeld(owner.name), 1);
    const removed = sweepStaleSegments();
    assert.ok(!removed.includes(owner.name) && shmExists(owner.name),
      `a live owner's segment was swept (the pid in its name, ${pid}, means another process here)`);
  } finally {
    owner.child.kill('SIGKILL');
    await exitOf(owner.child);
  }
  await untilReleased(owner.name);
  assert.ok(sweepStaleSegments().includes(owner.name));
  assert.ok(!shmExists(owner.name));
});

/** A segment file as a weft without owner locks (or a dead owner) leaves it: named, unlocked. */
function unlockedSegment(pid: number): string {
  const name = `weft-${pid}-${randomBytes(8).toString('hex')}`;
  writeFileSync(shmPath(name), Buffer.alloc(4096), { mode: 0o600 });
  return name;
}

async function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'console.log(1); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}

test('a reused pid cannot keep a dead owner\'s segment: no lock and not mapped by that pid means swept', async () => {
  const child = await sleeper(); // a live process that never heard of the segment
  try {
    const name = unlockedSegment(child.pid!);
    assert.equal(native().ownerHeld(name), 0);
    assert.ok(sweepStaleSegments().includes(name));
    assert.ok(!shmExists(name));
  } finally {
    child.kill('SIGKILL');
  }
});

test('an older weft\'s unlocked segment stays while the process in its name maps it', async () => {
  const holder = spawn(
    process.execPath,
    ['-e', `const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});
            const fs = require('fs');
            const name = 'weft-' + process.pid + '-' + require('crypto').randomBytes(8).toString('hex');
            fs.writeFileSync('/dev/shm/' + name, Buffer.alloc(65536), { mode: 0o600 });
            globalThis.keep = addon.open(name); // maps it, takes no lock: as weft before owner locks
            console.log(name);
            setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
    const mapped = line.toString().trim();
    assert.equal(native().ownerHeld(mapped), 0);
    assert.ok(!sweepStaleSegments().includes(mapped));
    assert.ok(shmExists(mapped));
    holder.kill('SIGKILL');
    await exitOf(holder);
    assert.ok(sweepStaleSegments().includes(mapped));
    assert.ok(!shmExists(mapped));
  } finally {
    holder.kill('SIGKILL');
  }
});

test('a segment this process owns is locked, and disowning it drops the lock though it stays mapped', async () => {
  const { createSegment, unlinkSegment } = await import('../../src/shared/segment.js');
  const { name, buffer } = createSegment(64);
  assert.equal(native().ownerHeld(name), 1);
  assert.ok(!sweepStaleSegments().includes(name));
  // The lock has a descriptor of its own: the mapping (which pins the one it was made from)
  // does not keep it.
  native().disown(name);
  assert.equal(native().ownerHeld(name), 0);
  new Uint8Array(buffer)[0] = 1;
  unlinkSegment(name);
  assert.ok(!shmExists(name));
});
