/** The doorbell's count of active workers stays right when workers are terminated mid-task (see src/pool/doorbell.ts). */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { activeThreadWorkers, Doorbell } from '../../src/pool/doorbell.js';
import { TimeoutError } from '../../src/index.js';
import { makePool, rejectionOf } from '../helpers/pool.js';

describe('doorbell', () => {
  it('counts a worker out when it exits while counted in', () => {
    const active = new Int32Array(new SharedArrayBuffer(4));
    const a = new Doorbell(undefined, active);
    const b = new Doorbell(undefined, active);
    a.busy(true);
    b.busy(true);
    b.busy(false);
    assert.equal(active[0], 1);
    a.exited(); // terminated while busy
    assert.equal(active[0], 0);
    b.exited(); // exited idle: nothing to undo
    assert.equal(active[0], 0);
  });

  it('tells a worker whether the pool has handled its results', () => {
    const bell = new Doorbell();
    assert.equal(bell.poolBehind(), false);
    bell.sent();
    assert.equal(bell.poolBehind(), true);
    bell.handled();
    assert.equal(bell.poolBehind(), false);
    const seen = bell.rings();
    bell.ring();
    assert.equal(bell.rings(), seen + 1);
    bell.sleep(seen, 1000); // already rung: returns at once
  });

  it('no thread worker stays counted as active after a pool whose workers were killed mid-task', async () => {
    const pool = makePool('thread', { workers: 2 });
    const hung = await Promise.all([rejectionOf(pool.submit('hang', [], { timeout: 100 })), rejectionOf(pool.submit('spin', [10_000], { timeout: 100 }))]);
    for (const error of hung) assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(await pool.call.add(1, 2), 3);
    await pool.close();
    for (let i = 0; i < 50 && activeThreadWorkers() !== 0; i++) await sleep(10);
    assert.equal(activeThreadWorkers(), 0);
  });
});
