import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRace } from '../../src/sync/race.js';

describe('runRace', () => {
  it('the mutex and Atomics.add are exact', async () => {
    for (const mode of ['mutex', 'atomic'] as const) {
      const r = await runRace({ mode, workers: 3, iterations: 100_000 });
      assert.equal(r.expected, 300_000);
      assert.equal(r.actual, 300_000, mode);
      assert.equal(r.lost, 0);
      assert.ok(r.ms > 0);
    }
  });

  it('the plain read-modify-write reports its lost updates consistently', async () => {
    const r = await runRace({ mode: 'plain', workers: 2, iterations: 1_000_000 });
    assert.equal(r.expected, 2_000_000);
    assert.equal(r.lost, r.expected - r.actual);
    assert.ok(r.actual > 0 && r.actual <= r.expected);
  });

  it('rejects bad options', async () => {
    await assert.rejects(runRace({ mode: 'nope' as 'plain' }), RangeError);
    await assert.rejects(runRace({ mode: 'plain', workers: 0 }), RangeError);
  });
});
