/**
 * Ownership follows the liveness token in the lock word, not the pid-based selfId (which two
 * PID namespaces, or a process after 1024 worker starts, can share); the held list is keyed by
 * memory; releaseHeldLocks is exception-safe; a Semaphore's table is initialised before its
 * header is published.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { after, describe, it } from 'node:test';
import { Event, Mutex, releaseHeldLocks, Semaphore, SyncMisuseError } from '../../src/sync/index.js';
import { heldCount, noteReleased } from '../../src/sync/held.js';
import { HolderTable } from '../../src/sync/holders.js';
import { selfId } from '../../src/sync/identity.js';
import { hasLiveness, segments, slot, threadJob } from './helpers.js';

const OWNER = 2;
const PROCESS_JOB = fileURLToPath(new URL('./fixtures/process-job.ts', import.meta.url));
const tokens = hasLiveness ? false : 'no liveness tokens (native addon missing or too old)';

const unshareWorks = ((): boolean => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    return spawnSync('unshare', ['-p', '-f', 'true'], { timeout: 5_000 }).status === 0;
  } catch {
    return false;
  }
})();

/** Runs a jobs.ts job in a process of its own PID namespace (so its pid is 1), mapping `segment`. */
function inNamespace(job: string, segment: string, views: Record<string, [number, number]>, params: Record<string, number> = {}) {
  return spawn('unshare', ['-p', '-f', '--', process.execPath, '--import', 'tsx', PROCESS_JOB, JSON.stringify({ job, segment, views, params })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

describe('Mutex ownership follows the token', { skip: tokens }, () => {
  const { segment, removeAll } = segments();
  after(removeAll);

  it('a holder whose selfId collides with ours (forged in OWNER) is not us', async () => {
    const m = Mutex.create();
    const held = Event.create();
    const w = threadJob('holdAndDie', { lock: m.state, event: held.state }, { how: 2 });
    assert.equal(await held.waitAsync(10_000), true);
    m.state[OWNER] = selfId; // what a holder with the same pid and threadId (another PID namespace) writes
    assert.equal(m.isHeldByCurrentThread(), false);
    assert.equal(m.tryLock(50), false, 'waits, no false "already holds" misuse');
    assert.throws(() => m.unlock(), (e: unknown) => e instanceof SyncMisuseError && /not by this thread/.test(e.message));
    assert.throws(() => m.markConsistent(), SyncMisuseError);
    assert.equal(m.isLocked(), true, 'still held by the worker');
    await w.terminate();
  });

  it('two processes that are both pid 1 (unshare -p): the second does not think it holds the first one\'s lock', { skip: unshareWorks ? false : 'needs root and unshare -p' }, async () => {
    const { name, buffer } = segment(4096);
    const lock = slot(buffer, 0, Mutex.byteLength());
    const event = slot(buffer, 64, Event.byteLength());
    const m = Mutex.create({ memory: lock.view });
    const held = Event.create(false, { memory: event.view });
    const holder = inNamespace('holdLock', name, { lock: lock.spec, event: event.spec }, { holdMs: 20_000 });
    try {
      assert.equal(await held.waitAsync(20_000), true);
      const prober = inNamespace('probeOwnership', name, { lock: lock.spec, event: event.spec });
      const [msg] = (await once(prober, 'message')) as [{ result: string }];
      const probe = JSON.parse(msg.result) as Record<string, unknown>;
      assert.equal(probe.pid, 1);
      assert.equal(probe.owner, probe.self, 'the two selfIds collide');
      assert.equal(probe.held, false);
      assert.equal(probe.tryLock, 'false');
      assert.equal(probe.unlock, 'SyncMisuseError');
      assert.equal(m.isLocked(), true);
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
  });
});

describe('the held list', () => {
  it('a lock taken through one object and released through another leaves no entry', () => {
    const before = heldCount();
    for (let i = 0; i < 1000; i++) {
      const m = Mutex.create();
      Mutex.from(m.state).lock();
      Mutex.from(m.state).unlock();
    }
    assert.equal(heldCount(), before);
  });

  it('... nor pins the object that locked', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const ref = ((): WeakRef<Mutex> => {
      const m = Mutex.create();
      const a = Mutex.from(m.state);
      a.lock();
      Mutex.from(m.state).unlock();
      return new WeakRef(a);
    })();
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(ref.deref(), undefined);
  });

  it('noteReleased of something not listed removes nothing', () => {
    const m = Mutex.create();
    m.lock();
    noteReleased(Mutex.create());
    assert.equal(releaseHeldLocks().length, 1);
    assert.equal(m.isLocked(), false);
  });

  it('releaseHeldLocks goes on past one that throws, reports it, and leaves nothing half-listed', { skip: tokens }, () => {
    const s = Semaphore.create(1, { holders: 2, max: 1 });
    const m1 = Mutex.create();
    s.acquire();
    m1.lock();
    Atomics.store(s.state, 1, 1); // as if something released a permit it never took: giving ours back would pass max
    assert.throws(
      () => releaseHeldLocks(),
      (e: unknown) => e instanceof AggregateError && e.errors.length === 1 && (e as AggregateError & { released: string[] }).released.length === 1,
    );
    assert.equal(m1.isLocked(), false, 'the mutex after the failing semaphore was released');
    const m3 = Mutex.create();
    m3.lock();
    assert.throws(() => m1.unlock(), SyncMisuseError);
    assert.equal(releaseHeldLocks().length, 1, 'm3 is still listed');
    assert.equal(m3.isLocked(), false);
    Atomics.store(s.state, 1, 0);
    s.release();
    assert.equal(s.value, 1);
  });
});

describe('Semaphore.create', () => {
  it('initialises the holder table before it publishes the header', () => {
    const original = HolderTable.initialise;
    let headerThen = -1;
    HolderTable.initialise = (ext: Int32Array, slots: number) => {
      headerThen = new Int32Array(ext.buffer, ext.byteOffset - 16, 1)[0];
      original(ext, slots);
    };
    try {
      const s = Semaphore.create(2, { holders: 3 });
      assert.equal(headerThen, 0, 'the header was not yet written');
      assert.notEqual(s.state[0], 0);
      assert.equal(Semaphore.from(s.state).value, 2);
    } finally {
      HolderTable.initialise = original;
    }
  });
});
