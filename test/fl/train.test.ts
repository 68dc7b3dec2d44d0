import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadMnist } from '../../src/fl/data/mnist.js';
import { createCnn } from '../../src/fl/models/cnn.js';
import { createMlp } from '../../src/fl/models/mlp.js';
import { Sgd } from '../../src/fl/optim/sgd.js';
import { partitionIid } from '../../src/fl/partition.js';
import { Rng } from '../../src/fl/rng.js';
import { evaluate, LocalTrainer } from '../../src/fl/train.js';

const train = loadMnist('train', { limit: 6000 });
const test = loadMnist('test', { limit: 1000 });

function hash(params: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)).digest('hex');
}

describe('local training', () => {
  it('MLP: one epoch on 6000 images beats 80% on 1000 test images', () => {
    const model = createMlp();
    const params = new Float32Array(model.paramCount);
    model.init(params, Rng.fromSeed(1));
    const before = evaluate(model, params, test);
    assert.ok(before.accuracy < 0.3, `untrained accuracy ${before.accuracy}`);
    const indices = Uint32Array.from({ length: train.count }, (_, i) => i);
    const result = new LocalTrainer(model).train(
      params,
      indices,
      train,
      { epochs: 1, batchSize: 10 },
      new Sgd({ lr: 0.05 }),
      Rng.derive(1, 0, 0),
    );
    assert.equal(result.steps, 600);
    assert.equal(result.examples, 6000);
    assert.ok(result.loss < 1.5, `mean training loss ${result.loss}`);
    const after = evaluate(model, params, test);
    assert.ok(after.accuracy > 0.8, `accuracy after one epoch ${after.accuracy}`);
    assert.ok(after.loss < before.loss);
  });

  it('is bit-identical for the same seed and includes the last partial batch', () => {
    const model = createMlp();
    const run = (seed: number): { hash: string; steps: number } => {
      const params = new Float32Array(model.paramCount);
      model.init(params, Rng.fromSeed(seed));
      const parts = partitionIid(train.count, 40, Rng.fromSeed(seed));
      const trainer = new LocalTrainer(model);
      let steps = 0;
      for (let client = 0; client < 3; client++) {
        const opt = new Sgd({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
        steps += trainer.train(params, parts[client], train, { epochs: 2, batchSize: 32 }, opt, Rng.derive(seed, client, 0)).steps;
      }
      return { hash: hash(params), steps };
    };
    const a = run(3);
    assert.deepEqual(run(3), a);
    assert.notEqual(run(4).hash, a.hash);
    assert.equal(a.steps, 3 * 2 * Math.ceil(train.count / 40 / 32)); // 150 examples: 4 full batches + 1 of 22
  });

  it('CNN: a few steps reduce the loss, deterministically', () => {
    const model = createCnn();
    const run = (): { hash: string; loss: number } => {
      const params = new Float32Array(model.paramCount);
      model.init(params, Rng.fromSeed(5));
      const indices = Uint32Array.from({ length: 60 }, (_, i) => i);
      new LocalTrainer(model).train(params, indices, train, { epochs: 1, batchSize: 10 }, new Sgd({ lr: 0.05 }), Rng.fromSeed(6));
      return { hash: hash(params), loss: evaluate(model, params, train, 60).loss };
    };
    const params0 = new Float32Array(model.paramCount);
    model.init(params0, Rng.fromSeed(5));
    const before = evaluate(model, params0, train, 60).loss;
    const a = run();
    assert.ok(a.loss < before, `loss ${before} -> ${a.loss}`);
    assert.deepEqual(run(), a);
  });

  it('rejects bad options', () => {
    const model = createMlp();
    const trainer = new LocalTrainer(model);
    const params = new Float32Array(model.paramCount);
    assert.throws(() => trainer.train(params, [0], train, { epochs: 1, batchSize: 0 }, new Sgd({ lr: 0.1 }), Rng.fromSeed(1)), /batchSize/);
  });
});
