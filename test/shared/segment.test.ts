// Lifecycle of mapped segments: create/open across processes, mode, naming, dispose, removal on
// every kind of exit, and the sweeper after SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { native } from '../../src/shared/native.js';
import {
  createSegment,
  NAME_TRIES,
  openSegment,
  ownerPidOf,
  ownedSegments,
  segmentName,
  sweepStaleSegments,
  unlinkSegment,
} from '../../src/shared/segment.js';
import { sharedArray, segmentOf, dispose, disposableSharedArray, placementOf } from '../../src/shared/index.js';
import { encodeShared } from '../../src/shared/handle.js';
import { Peer, shmExists, shmPath, startOwner, exitOf } from './helpers.js';

test('a mapped array is a real SharedArrayBuffer-backed typed array with an owner-pid name', () => {
  const xs = sharedArray(Float64Array, 10, { placement: 'mapped' });
  assert.ok(xs.buffer instanceof SharedArrayBuffer);
  assert.equal(xs.length, 10);
  const name = segmentOf(xs)!;
  assert.match(name, new RegExp(`^weft-${process.pid}-[0-9a-f]{16}$`));
  assert.equal(ownerPidOf(name), process.pid);
  assert.equal(placementOf(xs), 'mapped');
  assert.equal(placementOf(sharedArray(Float64Array, 10)), 'memory');
  // The remap path (Nodes without external SharedArrayBuffers) sizes files in 64 KiB pages.
  assert.equal(statSync(shmPath(name)).size, native().bufferPath === 'remap' ? 65536 : 80);
  dispose(xs);
});

test('segments are created with mode 0600', () => {
  const old = process.umask(0);
  try {
    const xs = sharedArray(Uint8Array, 4096, { placement: 'mapped' });
    assert.equal(statSync(shmPath(segmentOf(xs)!)).mode & 0o777, 0o600);
    dispose(xs);
  } finally {
    process.umask(old);
  }
});

test('a zero-length mapped array works', () => {
  const xs = sharedArray(Int32Array, 0, { placement: 'mapped' });
  assert.equal(xs.length, 0);
  dispose(xs);
});

test('errors name the segment and the errno', () => {
  const { name } = createSegment(8);
  assert.throws(() => native().create(name, 8), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'EEXIST');
    assert.match(err.message, new RegExp(`/dev/shm/${name}.*File exists \\(EEXIST\\)`));
    return true;
  });
  assert.throws(() => openSegment('weft-1-doesnotexist'), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'ENOENT');
    assert.match(err.message, /\/dev\/shm\/weft-1-doesnotexist/);
    return true;
  });
  assert.throws(() => openSegment('../etc/passwd'), /invalid segment name/);
  native().unlink(name);
  native().disown(name);
});

/** Runs `body` with Math.random returning one value, as a test's mock might. */
function withConstantRandom<T>(body: () => T): T {
  const random = Math.random;
  Math.random = () => 0.5;
  try {
    return body();
  } finally {
    Math.random = random;
  }
}

test('segment names stay distinct when Math.random is mocked to a constant, and both segments work', () => {
  const [a, b] = withConstantRandom(() => [createSegment(8), createSegment(8)]);
  try {
    assert.notEqual(a.name, b.name);
    for (const { name } of [a, b]) assert.match(name, new RegExp(`^weft-${process.pid}-[0-9a-f]{16}$`));
    new Int32Array(a.buffer)[0] = 1;
    new Int32Array(b.buffer)[0] = 2;
    // Mapped again by name: each name leads to its own memory.
    assert.equal(new Int32Array(openSegment(a.name))[0], 1);
    assert.equal(new Int32Array(openSegment(b.name))[0], 2);
  } finally {
    unlinkSegment(a.name);
    unlinkSegment(b.name);
  }
});

test(`createSegment gives up after ${NAME_TRIES} names that already exist, with an error that says so`, () => {
  withConstantRandom(() => {
    // With Math.random fixed, the next names differ only in this realm's count, which the last name shows.
    const last = segmentName();
    const count = parseInt(last.slice(-8), 16);
    const taken = Array.from({ length: NAME_TRIES }, (_, i) => `${last.slice(0, -8)}${(count + 1 + i).toString(16).padStart(8, '0')}`);
    for (const name of taken) writeFileSync(shmPath(name), '', { flag: 'wx', mode: 0o600 });
    try {
      assert.throws(() => createSegment(8), (err: Error & { cause?: NodeJS.ErrnoException }) => {
        assert.match(err.message, new RegExp(`gave up after ${NAME_TRIES} names .*already existed`));
        assert.equal(err.cause?.code, 'EEXIST');
        return true;
      });
    } finally {
      for (const name of taken) rmSync(shmPath(name), { force: true });
    }
    // The next name is free again.
    const { name } = createSegment(8);
    unlinkSegment(name);
  });
});

test('a segment larger than /dev/shm fails with ENOSPC up front and leaves no file', () => {
  const fs = statfsSync('/dev/shm');
  const tooBig = (fs.blocks + 1024) * fs.bsize;
  const mine = (): string[] => readdirSync('/dev/shm').filter((n) => n.startsWith(`weft-${process.pid}-`));
  const before = mine().length;
  assert.throws(() => sharedArray(Uint8Array, tooBig, { placement: 'mapped' }), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'ENOSPC');
    assert.match(err.message, /cannot create shared memory segment "\/dev\/shm\/weft-.*No space left on device \(ENOSPC\)/);
    return true;
  });
  assert.equal(mine().length, before);
});

test('writes are visible across processes, both ways', async () => {
  const xs = sharedArray(Int32Array, 16, { placement: 'mapped' });
  const peer = await Peer.start();
  try {
    xs[3] = 7;
    assert.equal(await peer.request('read', { array: encodeShared(xs), index: 3 }), 7);
    await peer.request('write', { array: encodeShared(xs), index: 5, value: 99 });
    assert.equal(xs[5], 99);
  } finally {
    await peer.close();
  }
  // The peer only opened the segment: its exit must not remove it.
  assert.ok(shmExists(segmentOf(xs)!));
  dispose(xs);
});

test('dispose removes the segment, is idempotent, and leaves existing views usable', () => {
  const xs = sharedArray(Float32Array, 8, { placement: 'mapped' });
  const name = segmentOf(xs)!;
  assert.ok(ownedSegments().has(name));
  dispose(xs);
  assert.ok(!shmExists(name));
  assert.ok(!ownedSegments().has(name));
  dispose(xs);
  dispose(sharedArray(Float32Array, 8)); // memory placement: nothing to do
  xs[0] = 1.5;
  assert.equal(xs[0], 1.5);
});

test('using removes the segment at the end of the block', () => {
  let name: string;
  {
    using shared = disposableSharedArray(Uint16Array, 32, { placement: 'mapped' });
    name = segmentOf(shared.array)!;
    assert.ok(shmExists(name));
    shared.dispose(); // explicit dispose before the implicit one: still fine
  }
  assert.ok(!shmExists(name));
});

for (const how of ['exit', 'dispose-exit', 'throw'] as const) {
  test(`the owner removes its segment on ${how}`, async () => {
    const { child, name, stderr } = await startOwner(how);
    const { code } = await exitOf(child);
    assert.equal(code, how === 'throw' ? 1 : 0, stderr());
    if (how === 'throw') assert.match(stderr(), /boom from owner fixture/);
    assert.ok(!shmExists(name), `${name} left behind`);
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`the owner removes its segment on ${signal} and still dies of the signal`, async () => {
    const { child, name } = await startOwner('wait');
    assert.ok(shmExists(name));
    child.kill(signal);
    const result = await exitOf(child);
    assert.deepEqual(result, { code: null, signal });
    assert.ok(!shmExists(name), `${name} left behind`);
  });
}

test('after SIGKILL the segment stays until the next sweep removes it', async () => {
  const { child, name } = await startOwner('wait');
  child.kill('SIGKILL');
  assert.deepEqual(await exitOf(child), { code: null, signal: 'SIGKILL' });
  assert.ok(shmExists(name), 'SIGKILL cannot be intercepted: the segment is still there');
  // A segment of a live process (this one) must survive the sweep.
  const mine = sharedArray(Uint8Array, 1, { placement: 'mapped' });
  const removed = sweepStaleSegments();
  assert.ok(removed.includes(name));
  assert.ok(!shmExists(name));
  assert.ok(shmExists(segmentOf(mine)!));
  dispose(mine);
});

test('a new weft process sweeps segments of dead owners on first use', async () => {
  const dead = await startOwner('wait');
  dead.child.kill('SIGKILL');
  await exitOf(dead.child);
  assert.ok(shmExists(dead.name));
  const next = await startOwner('exit'); // its first sharedArray() runs the sweeper
  await exitOf(next.child);
  assert.ok(!shmExists(dead.name));
});
