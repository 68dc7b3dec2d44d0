/**
 * Speed of the FL simulator's compute kernels on one core: ms per training step (forward + backward + SGD update)
 * for the MLP and the CNN at batch 10/32/50 on real MNIST, an MLP "FedAvg round" of local training (10 clients x
 * 600 images, 1 epoch, batch 10: PyTorch takes 1.96 s with its default BLAS, 0.62 s with OpenBLAS), and the time
 * to evaluate the 10k test images.
 *
 *   npx tsx bench/fl-kernels.ts            # all
 *   npx tsx bench/fl-kernels.ts mlp        # only the MLP
 *   npx tsx bench/fl-kernels.ts cnn --full # CNN, evaluating all 10k test images (slow)
 *
 * Figures are the median over repeats (min in brackets): the machine is shared, so medians move by ±20%.
 * The models run the process's kernels: WebAssembly SIMD where available, or JS with `WEFT_FL_KERNELS=js`:
 *
 *   WEFT_FL_KERNELS=js npx tsx bench/fl-kernels.ts   # the JavaScript kernels, for comparison
 */
import { loadMnist, type Dataset } from '../src/fl/data/mnist.js';
import { createCnn } from '../src/fl/models/cnn.js';
import { createMlp } from '../src/fl/models/mlp.js';
import type { Model } from '../src/fl/models/types.js';
import { Sgd } from '../src/fl/optim/sgd.js';
import { kernelChoice } from '../src/fl/wasm/loader.js';
import { partitionIid } from '../src/fl/partition.js';
import { Rng } from '../src/fl/rng.js';
import { LocalTrainer } from '../src/fl/train.js';

const args = process.argv.slice(2);
const only = args.find((a) => a === 'mlp' || a === 'cnn');
const full = args.includes('--full');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** ms per step, measured over `repeats` blocks of `steps` steps after `warmup` steps. */
function stepTime(model: Model, data: Dataset, batch: number, warmup: number, steps: number, repeats: number): number[] {
  const params = new Float32Array(model.paramCount);
  model.init(params, Rng.fromSeed(1));
  const grad = new Float32Array(model.paramCount);
  const x = new Float32Array(batch * 784);
  const y = new Uint8Array(batch);
  const opt = new Sgd({ lr: 0.05 });
  let next = 0;
  const step = (): void => {
    for (let b = 0; b < batch; b++) {
      const e = next;
      next = (next + 1) % data.count;
      for (let k = 0; k < 784; k++) x[b * 784 + k] = data.images[e * 784 + k];
      y[b] = data.labels[e];
    }
    model.lossAndGrad(params, grad, x, y, batch);
    opt.step(params, grad);
  };
  for (let i = 0; i < warmup; i++) step();
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    out.push((performance.now() - t) / steps);
  }
  return out;
}

function report(label: string, samples: number[], unit = 'ms'): void {
  console.log(`${label.padEnd(44)} ${fmt(median(samples)).padStart(8)} ${unit}  [min ${fmt(Math.min(...samples))}]`);
}

const train = loadMnist('train', { limit: 12000 });
const test = loadMnist('test');
console.log(`node ${process.version}, one thread, ${kernelChoice()} kernels; MNIST train subset ${train.count}, test ${test.count}`);

if (only !== 'cnn') {
  const mlp = createMlp();
  console.log(`\n${mlp.name} (${mlp.paramCount} params)`);
  for (const batch of [10, 32, 50]) report(`MLP step, batch ${batch}`, stepTime(mlp, train, batch, 200, 200, 5));

  // The PyTorch comparison: local training of 10 sampled clients of 600 images, 1 epoch, batch 10, lr 0.05.
  const parts = partitionIid(train.count, 20, Rng.fromSeed(1));
  const trainer = new LocalTrainer(mlp);
  const global = new Float32Array(mlp.paramCount);
  mlp.init(global, Rng.fromSeed(2));
  const params = new Float32Array(mlp.paramCount);
  const round = (r: number): void => {
    for (let c = 0; c < 10; c++) {
      params.set(global);
      trainer.train(params, parts[c], train, { epochs: 1, batchSize: 10 }, new Sgd({ lr: 0.05 }), Rng.derive(1, c, r));
    }
  };
  round(0);
  const rounds: number[] = [];
  for (let r = 1; r <= 5; r++) {
    const t = performance.now();
    round(r);
    rounds.push((performance.now() - t) / 1000);
  }
  report('MLP round: 10 clients x 600, E=1, B=10', rounds, 's ');
  console.log(`${''.padEnd(44)} (PyTorch 1.13, 1 thread: 1.96 s default BLAS, 0.62 s OpenBLAS)`);

  const evals: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    mlp.evaluate(global, test.images, test.labels, test.count);
    evals.push(performance.now() - t);
  }
  report('MLP evaluate 10k test images', evals);
  console.log(`${''.padEnd(44)} (PyTorch: 1.30 s default BLAS, 0.15 s OpenBLAS)`);
}

if (only !== 'mlp') {
  const cnn = createCnn();
  console.log(`\n${cnn.name} (${cnn.paramCount} params)`);
  for (const batch of [10, 32, 50]) {
    const steps = Math.max(1, Math.round(100 / batch));
    report(`CNN step, batch ${batch}`, stepTime(cnn, train, batch, steps, steps, 3));
  }
  const params = new Float32Array(cnn.paramCount);
  cnn.init(params, Rng.fromSeed(2));
  const n = full ? test.count : 1000;
  const t = performance.now();
  cnn.evaluate(params, test.images, test.labels, n);
  const ms = performance.now() - t;
  const label = full ? 'CNN evaluate 10k test images' : 'CNN evaluate 10k (1k measured, x10)';
  report(label, [(ms * test.count) / n]);
  console.log(`${''.padEnd(44)} (PyTorch CNN round, 600 steps of batch 10: 10.1 s default BLAS, 4.4 s OpenBLAS)`);
}
