/**
 * The cluster across separate hosts: `weft worker`s in their own network namespaces reach Redis over veth pairs
 * only, as on other machines. A host whose network is cut mid-run has its jobs taken over by another, and every
 * call still settles once with its value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool } from '../../src/index.js';
import type * as Solo from '../fixtures/cluster-tasks.js';
import { noRedis, RedisServer, WorkerProcess } from './helpers.js';
import { Host, noNetns } from './hosts.js';

const SOLO = fileURLToPath(new URL('../fixtures/cluster-tasks.ts', import.meta.url));

describe('cluster across hosts (network namespaces)', { skip: noRedis || noNetns }, () => {
  const hosts: Host[] = [];
  const workers: WorkerProcess[] = [];
  let redis: RedisServer;
  before(async () => {
    hosts.push(Host.create(1), Host.create(2));
    redis = await RedisServer.start(hosts.map((h) => h.hostAddress));
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.stop();
    for (const host of hosts) host.remove();
  });

  it('workers on two hosts serve one pool; a host cut off mid-run has its jobs taken over', async () => {
    const [a, b] = hosts;
    workers.push(...(await Promise.all([WorkerProcess.start(redis.urlAt(a.hostAddress), [], SOLO, a), WorkerProcess.start(redis.urlAt(b.hostAddress), [], SOLO, b)])));
    const [onA, onB] = workers;
    await using pool = createPool<typeof Solo>({ backend: 'cluster', module: SOLO, connection: redis.url, loadTimeout: 30_000 });
    // Both hosts take part.
    const first = await Promise.all(Array.from({ length: 16 }, () => pool.call.napThenWhere(100)));
    const pids = new Set(first.map((r) => r.pid));
    assert.deepEqual([...pids].sort(), [onA.child.pid, onB.child.pid].sort(), 'both hosts ran tasks');
    // Host a loses its network while it holds jobs.
    const calls = Array.from({ length: 24 }, (_, i) => pool.call.napThenWhere(150).then((r) => ({ i, pid: r.pid })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    a.disconnect();
    const done = await Promise.all(calls);
    assert.deepEqual(done.map((d) => d.i), Array.from({ length: 24 }, (_, i) => i), 'every call settled, with its own answer');
    assert.ok(done.some((d) => d.pid === onB.child.pid), 'host b ran the rest');
  });
});
