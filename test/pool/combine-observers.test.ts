/** combineObservers: every observer hears every hook it has; the result has only hooks someone listens to. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { combineObservers, type PoolObserver } from '../../src/pool/observer.js';

it('calls each observer that has the hook, in order, and leaves out hooks nobody has', () => {
  const heard: string[] = [];
  const a: PoolObserver = { batchSent: (w) => heard.push(`a ${w}`), workerReady: (w) => heard.push(`a ready ${w}`) };
  const b: PoolObserver = { batchSent: (w) => heard.push(`b ${w}`), tasksFinished: (batch) => heard.push(`b ${batch.count}`) };
  const both = combineObservers(a, undefined, b)!;
  both.batchSent!('thread-1', 3, 0.1, 0);
  both.workerReady!('thread-2', 0);
  both.tasksFinished!({ count: 4 } as never);
  assert.deepEqual(heard, ['a thread-1', 'b thread-1', 'a ready thread-2', 'b 4']);
  assert.equal(both.taskFinished, undefined);
  assert.equal(both.taskFailed, undefined);
  assert.equal(combineObservers(a, undefined), a, 'a single observer is used as is');
  assert.equal(combineObservers(undefined), undefined);
});
