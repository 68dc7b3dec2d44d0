import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/fl/rng.js';
import {
  FedAdamOptimizer,
  FedAvgMOptimizer,
  paramsHash,
  runSimulation,
  sampleWithoutReplacement,
  Simulation,
} from '../../../src/fl/sim/index.js';
import { SMALL } from './helpers.js';

describe('fl simulator: server optimisers', () => {
  it('FedAvgM: v = m v + (w - avg); w -= lr v', () => {
    const opt = new FedAvgMOptimizer(2, 0.5, 0.9);
    const w = Float32Array.of(1, -1);
    opt.apply(w, Float32Array.of(0, 0)); // delta (1, -1): v = (1, -1), w = (0.5, -0.5)
    assert.deepEqual([...w], [0.5, -0.5]);
    opt.apply(w, Float32Array.of(0.5, -0.5)); // delta 0: v = (0.9, -0.9), w = (0.05, -0.05)
    assert.ok(Math.abs(w[0] - 0.05) < 1e-6 && Math.abs(w[1] + 0.05) < 1e-6);
    const restored = new FedAvgMOptimizer(2, 0.5, 0.9);
    restored.setState(opt.getState());
    assert.deepEqual(restored.getState(), opt.getState());
  });

  it('FedAdam: first step moves every coordinate by about lr towards the average', () => {
    const opt = new FedAdamOptimizer(3, { lr: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
    const w = Float32Array.of(0, 0, 0);
    opt.apply(w, Float32Array.of(1, -2, 0));
    // m = 0.1 delta, sqrt(v) = 0.1 |delta|: step = lr * sign(delta) * |delta| / (|delta| + 0.01)
    assert.ok(Math.abs(w[0] - 0.01 / 1.01) < 1e-6, String(w[0]));
    assert.ok(Math.abs(w[1] + 0.01 / 1.005) < 1e-6, String(w[1]));
    assert.equal(w[2], 0);
    assert.throws(() => opt.setState({ m: new Float32Array(3) }), /'v'/);
  });

  it('sampling: distinct, ascending, in range, reproducible from the stream', () => {
    const a = sampleWithoutReplacement(100, 10, Rng.fromSeed(3));
    assert.equal(a.length, 10);
    assert.equal(new Set(a).size, 10);
    assert.deepEqual(a, [...a].sort((x, y) => x - y));
    assert.ok(a.every((id) => id >= 0 && id < 100));
    assert.deepEqual(sampleWithoutReplacement(100, 10, Rng.fromSeed(3)), a);
    assert.deepEqual(sampleWithoutReplacement(5, 5, Rng.fromSeed(3)), [0, 1, 2, 3, 4]);
  });
});

describe('fl simulator: algorithms', () => {
  it('every algorithm trains: the model changes and test accuracy beats chance by far', async () => {
    const initial = await Simulation.create({ config: { ...SMALL, rounds: 1 } });
    const initialHash = paramsHash(initial.params);
    const before = await initial.evaluate();
    await initial.close();
    const hashes = new Map<string, string>();
    for (const algorithm of ['fedavg', 'fedprox', 'fedavgm', 'fedadam'] as const) {
      const result = await runSimulation({ config: { ...SMALL, rounds: 3, algorithm, mu: 0.1 } });
      assert.notEqual(result.paramsHash, initialHash, algorithm);
      assert.ok(result.params.every(Number.isFinite), `${algorithm}: finite parameters`);
      assert.ok(result.accuracy! > 0.3, `${algorithm}: accuracy ${result.accuracy} after 3 rounds (chance: 0.1)`);
      assert.ok(result.loss! < before.loss, `${algorithm}: loss ${result.loss} vs ${before.loss} untrained`);
      hashes.set(algorithm, result.paramsHash);
    }
    assert.equal(new Set(hashes.values()).size, 4, 'the four algorithms give four different models');
  });

  it('FedProx with mu = 0 is exactly FedAvg', async () => {
    const avg = await runSimulation({ config: { ...SMALL, algorithm: 'fedavg' } });
    const prox = await runSimulation({ config: { ...SMALL, algorithm: 'fedprox', mu: 0 } });
    assert.equal(prox.paramsHash, avg.paramsHash);
  });

  it('accuracy improves over rounds (FedAvg, IID)', async () => {
    const result = await runSimulation({ config: { ...SMALL, rounds: 3, fraction: 1, trainLimit: 3000 } });
    const acc = result.rounds.map((r) => r.accuracy!);
    assert.ok(acc[0] < acc[1] && acc[1] < acc[2], `accuracy per round ${acc.join(', ')}`);
    assert.ok(acc[2] > 0.5, `accuracy per round ${acc.join(', ')}`);
    const loss = result.rounds.map((r) => r.loss!);
    assert.ok(loss[2] < loss[0], `test loss per round ${loss.join(', ')}`);
    assert.ok(result.rounds.every((r) => r.trained === 8 && r.sampled === 8));
  });
});
