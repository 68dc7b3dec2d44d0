import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { paramsHash, runSimulation, Simulation, type SimConfigInput } from '../../../src/fl/sim/index.js';
import { SMALL } from './helpers.js';

/** Every client trains every round, so the faulty ones are always sampled. */
const ALL: SimConfigInput = { ...SMALL, fraction: 1 };

/** Hashes of failure-free runs, computed once per round count. */
const cleanHashes = new Map<number, Promise<string>>();
function cleanHash(rounds = ALL.rounds!): Promise<string> {
  if (!cleanHashes.has(rounds)) cleanHashes.set(rounds, runSimulation({ config: { ...ALL, rounds } }).then((r) => r.paramsHash));
  return cleanHashes.get(rounds)!;
}

describe('fl simulator: client failures', () => {
  it('a client that throws is dropped, the round completes with the rest, and it is reported', async () => {
    const seq = await runSimulation({ config: { ...ALL, faults: { clients: [2, 5] } } });
    for (const r of seq.rounds) {
      assert.equal(r.sampled, 8);
      assert.equal(r.trained, 6);
      assert.deepEqual(r.dropped, [2, 5]);
      assert.ok(r.accuracy !== null);
    }
    assert.equal(seq.failures.length, 4);
    assert.ok(seq.failures.every((f) => f.cause === 'threw' && f.action === 'dropped' && /injected failure/.test(f.message)));
    assert.notEqual(seq.paramsHash, await cleanHash());
    // Dropping is deterministic: the same clients are left out on every backend.
    const thr = await runSimulation({ config: { ...ALL, backend: 'thread', workers: 2, faults: { clients: [2, 5] } } });
    assert.equal(thr.paramsHash, seq.paramsHash);
  });

  it('with retries, a client that fails once is retried and the result equals a run without failures', async () => {
    const retried = await runSimulation({ config: { ...ALL, retries: 1, faults: { clients: [1, 6], attempts: 1 } } });
    assert.equal(retried.paramsHash, await cleanHash());
    assert.ok(retried.rounds.every((r) => r.trained === 8 && r.retries === 2 && r.dropped.length === 0));
    assert.ok(retried.failures.every((f) => f.action === 'retried' && f.attempt === 0));
  });

  for (const backend of ['thread', 'process'] as const) {
    it(`${backend}: a client whose worker dies is dropped, or retried on a fresh worker`, async () => {
      const base = { ...ALL, backend, workers: 2, rounds: 1 } as const;
      const dropped = await runSimulation({ config: { ...base, faults: { clients: [3], kind: 'crash' } } });
      assert.deepEqual(dropped.rounds[0].dropped, [3]);
      assert.equal(dropped.rounds[0].trained, 7);
      assert.equal(dropped.failures[0].cause, 'crashed');
      const retried = await runSimulation({ config: { ...base, rounds: 2, retries: 1, faults: { clients: [3], kind: 'crash', attempts: 1 } } });
      assert.equal(retried.paramsHash, await cleanHash());
      assert.deepEqual(retried.failures.map((f) => [f.round, f.clientId, f.cause, f.action]), [
        [1, 3, 'crashed', 'retried'],
        [2, 3, 'crashed', 'retried'],
      ]);
    });
  }

  it('a client that hangs is timed out and dropped, or retried in a spare result slot', async () => {
    const base = { ...ALL, backend: 'thread', workers: 2, rounds: 1, clientTimeoutMs: 2000 } as const;
    const dropped = await runSimulation({ config: { ...base, faults: { clients: [4], kind: 'hang' } } });
    assert.deepEqual(dropped.rounds[0].dropped, [4]);
    assert.equal(dropped.failures[0].cause, 'timed-out');
    const retried = await runSimulation({ config: { ...base, retries: 1, faults: { clients: [4], kind: 'hang', attempts: 1 } } });
    assert.equal(retried.paramsHash, await cleanHash(1));
    assert.equal(retried.rounds[0].trained, 8);
  });

  it('a round where every client fails leaves the model unchanged', async () => {
    const sim = await Simulation.create({ config: { ...ALL, rounds: 1, faults: { probability: 1 } } });
    try {
      const before = paramsHash(sim.params);
      const result = await sim.run();
      assert.equal(result.rounds[0].trained, 0);
      assert.equal(result.rounds[0].dropped.length, 8);
      assert.equal(result.paramsHash, before);
    } finally {
      await sim.close();
    }
  });
});
