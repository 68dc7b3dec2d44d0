/** The trace export: valid JSON in the trace-event schema, one named lane per worker, tasks as slices. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPool } from '../../src/pool/index.js';
import { Recorder, toTrace, type TraceFile } from '../../src/profile/index.js';
import { profile } from '../../src/profile/index.js';
import { HOT_TASKS, withTempDir } from './helpers.js';

/** Checks the fields chrome://tracing and Perfetto require of each event kind. */
function assertTraceSchema(trace: TraceFile): void {
  assert.ok(Array.isArray(trace.traceEvents));
  for (const e of trace.traceEvents) {
    assert.equal(typeof e.name, 'string');
    assert.ok(['X', 'M', 'i'].includes(e.ph), `phase ${e.ph}`);
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid));
    assert.ok(typeof e.ts === 'number' && Number.isFinite(e.ts) && e.ts >= 0, `ts ${e.ts}`);
    if (e.ph === 'X') assert.ok(typeof e.dur === 'number' && e.dur > 0);
    if (e.ph === 'M') assert.ok(e.args && typeof e.args === 'object');
  }
}

describe('trace export', () => {
  it('gives each worker its own named lane, tasks as slices named after the task, messages on the main lane', { timeout: 30_000 }, async () => {
    const recorder = new Recorder();
    const pool = createPool({ module: HOT_TASKS, backend: 'thread', workers: 2, start: 'eager', observer: recorder });
    // Both workers ready and tasks long enough that neither worker can take them all.
    await pool.ready();
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? pool.run('add', i, 1) : pool.run('crunch', 300_000))));
    await pool.close();
    const trace = JSON.parse(JSON.stringify(toTrace(recorder.snapshot()))) as TraceFile;
    assertTraceSchema(trace);
    const lanes = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    const laneOf = new Map(lanes.map((e) => [e.tid, String(e.args!.name)]));
    assert.deepEqual([...laneOf.values()].sort(), ['main (pool)', 'thread-1', 'thread-2']);
    const tasks = trace.traceEvents.filter((e) => e.cat === 'task');
    assert.equal(tasks.length, 40);
    assert.deepEqual(new Set(tasks.map((e) => e.name)), new Set(['add', 'crunch']));
    const taskLanes = new Set(tasks.map((e) => laneOf.get(e.tid)));
    assert.deepEqual([...taskLanes].sort(), ['thread-1', 'thread-2'], 'tasks sit on the worker lanes');
    const messages = trace.traceEvents.filter((e) => e.cat === 'message');
    assert.ok(messages.length > 0 && messages.every((e) => e.tid === 0));
  });

  it('profile() writes trace.json that parses back in the same schema', { timeout: 30_000 }, async () => {
    await withTempDir(async (out) => {
      const { files } = await profile(async (s) => {
        const pool = s.createPool({ module: HOT_TASKS, backend: 'thread', workers: 2 });
        await Promise.all(Array.from({ length: 10 }, () => pool.run('add', 1, 2)));
        await pool.close();
      }, { out, cpu: false });
      const trace = JSON.parse(readFileSync(files.trace, 'utf8')) as TraceFile;
      assertTraceSchema(trace);
      assert.equal(trace.traceEvents.filter((e) => e.cat === 'task').length, 10);
    });
  });
});
