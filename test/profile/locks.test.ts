/** A deliberately contended mutex shows up in the contention table (summary.json and the report) and as trace slices. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { profile } from '../../src/profile/index.js';
import { dispose, sharedArray } from '../../src/shared/index.js';
import { Mutex } from '../../src/sync/mutex.js';
import type { TraceFile } from '../../src/profile/trace.js';
import { HOT_TASKS, withTempDir } from './helpers.js';

describe('lock contention', () => {
  it('reports a mutex that two workers fight over', { timeout: 30_000 }, async () => {
    await withTempDir(async (out) => {
      const busy = Mutex.create({ stats: true });
      const quiet = Mutex.create({ stats: true });
      const { summary, files } = await profile(async (session) => {
        session.watchLock('busy-table', busy).watchLock('quiet-table', quiet);
        const pool = session.createPool({ module: HOT_TASKS, backend: 'thread', workers: 2, start: 'eager' });
        await pool.ready();
        // Each worker imports the Mutex first: that import compiles it, which can take one worker longer
        // than the 30 ms the two then hold the lock for, and they would not meet.
        await Promise.all([pool.run('loadMutex'), pool.run('loadMutex')]);
        await Promise.all([pool.run('holdLock', busy.state, 2, 15), pool.run('holdLock', busy.state, 2, 15), pool.run('holdLock', quiet.state, 0, 5)]);
        await pool.close();
      }, { out, cpu: false });
      const byName = new Map(summary.locks.map((l) => [l.name, l]));
      const hot = byName.get('busy-table')!;
      assert.equal(hot.acquisitions, 30);
      assert.ok(hot.contended > 0, `contended ${hot.contended}`);
      assert.ok(hot.totalWaitMs > 0 && hot.worstWaitMs > 0);
      assert.equal(byName.get('quiet-table')!.contended, 0);
      const html = readFileSync(files.report, 'utf8');
      assert.match(html, /<table class="num locks">.*busy-table/s);
      assertWaitSlices(files.trace, 'busy-table', hot.contended);
    });
  });

  it('draws the waits of process workers on a mapped mutex in their lanes, and the main thread\'s in its own', { timeout: 30_000 }, async () => {
    await withTempDir(async (out) => {
      // Processes share the lock through a mapped segment, which the pool re-maps in each worker.
      const memory = sharedArray(Int32Array, Mutex.byteLength({ stats: true }) / 4, { placement: 'mapped' });
      const busy = Mutex.create({ memory, stats: true });
      const { summary, files } = await profile(async (session) => {
        session.watchLock('busy-table', busy);
        const pool = session.createPool({ module: HOT_TASKS, backend: 'process', workers: 2, start: 'eager' });
        await pool.ready();
        await Promise.all([pool.run('holdLock', memory, 2, 15), pool.run('holdLock', memory, 2, 15)]);
        // One wait on the main thread, of about 20 ms.
        busy.lock();
        const waiting = busy.lockAsync();
        setTimeout(() => busy.unlock(), 20);
        await waiting;
        busy.unlock();
        await pool.close();
      }, { out, cpu: false });
      dispose(memory);
      const hot = summary.locks.find((l) => l.name === 'busy-table')!;
      assert.ok(hot.contended > 1, `contended ${hot.contended}`);
      const trace = JSON.parse(readFileSync(files.trace, 'utf8')) as TraceFile;
      const lanes = laneNames(trace);
      const waits = trace.traceEvents.filter((e) => e.cat === 'lock');
      const onMain = waits.filter((w) => w.tid === 0);
      assert.equal(onMain.length, 1, 'the main thread waited once');
      assert.ok(onMain[0].dur! >= 15_000, `the main thread waited ${onMain[0].dur} µs`);
      const inWorkers = waits.filter((w) => w.tid !== 0);
      assert.ok(inWorkers.length > 0, 'no waits in the process workers\' lanes');
      for (const w of inWorkers) assert.match(lanes.get(w.tid) ?? '', /^process-\d+ \(pid \d+\)$/);
    });
  });
});

function laneNames(trace: TraceFile): Map<number, string> {
  return new Map(trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, String(e.args!.name)]));
}

/** The trace has wait slices named after `lock` in worker lanes, no more than the lock's contended count. */
function assertWaitSlices(traceFile: string, lock: string, contended: number): void {
  const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as TraceFile;
  const lanes = laneNames(trace);
  const waits = trace.traceEvents.filter((e) => e.cat === 'lock');
  assert.ok(waits.length > 0, 'no lock waits in the trace');
  assert.ok(waits.length <= contended, `${waits.length} slices for ${contended} contended acquisitions`);
  for (const w of waits) {
    assert.equal(w.name, `wait ${lock}`);
    assert.match(lanes.get(w.tid) ?? '', /^thread-\d+$/, 'a wait sits in its worker\'s lane');
    assert.ok(w.dur! > 0);
  }
}
