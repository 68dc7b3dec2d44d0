import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeoutError, type PoolObserver, type TaskRecord } from '../../src/index.js';
import { BACKENDS, makePool, rejectionOf } from '../helpers/pool.js';

for (const backend of BACKENDS) {
  describe(`observer on the ${backend} backend`, () => {
    it('reports tasks, batches, results and worker lifecycles', async () => {
      const finished: TaskRecord[] = [];
      const failed: string[] = [];
      const events: string[] = [];
      let batches = 0;
      let results = 0;
      const observer: PoolObserver = {
        taskFinished: (r) => finished.push(r),
        taskFailed: (f) => failed.push(`${f.name}:${f.error.name}`),
        batchSent: (_w, tasks, sendMs) => {
          batches += tasks;
          assert.ok(sendMs >= 0);
        },
        resultsReceived: (_w, n) => (results += n),
        workerStarted: (w) => events.push(`start ${w}`),
        workerReady: (w) => events.push(`ready ${w}`),
        workerExited: (w) => events.push(`exit ${w}`),
      };
      const pool = makePool(backend, { workers: 1, observer });
      await Promise.all([pool.call.add(1, 2), pool.call.spin(3)]);
      await rejectionOf(pool.call.fail('x'));
      await rejectionOf(pool.submit('sleep', [10_000], { timeout: 50 }));
      await pool.close();
      assert.equal(finished.length, 3);
      const spin = finished.find((r) => r.name === 'spin')!;
      assert.ok(spin.runMs >= 1.5, `spin ran ${spin.runMs} ms`);
      assert.ok(spin.enqueuedAt <= spin.startedAt + 1 && spin.startedAt <= spin.receivedAt + 1, 'times are ordered on one clock');
      assert.equal(finished.find((r) => r.name === 'fail')?.outcome, 'threw');
      assert.deepEqual(failed, ['sleep:TimeoutError']);
      assert.equal(batches, 4);
      assert.equal(results, 3);
      assert.ok(events[0].startsWith('start '), events.join());
      assert.ok(events.some((e) => e.startsWith('ready ')));
      assert.ok(events.filter((e) => e.startsWith('exit ')).length >= 1);
      void TimeoutError;
    });
  });
}
