// Gradient checks of every layer and both models against central finite differences, in float64 (tight
// tolerances) and, for the real-size models, in float32 on the coordinates with the largest gradients.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadMnist } from '../../src/fl/data/mnist.js';
import { createCnn } from '../../src/fl/models/cnn.js';
import { conv2dBackward, conv2dForward, type Conv2dShape } from '../../src/fl/models/conv2d.js';
import { denseBackward, denseForward, type DenseShape } from '../../src/fl/models/dense.js';
import { maxPoolBackward, maxPoolForward } from '../../src/fl/models/maxpool.js';
import { createMlp } from '../../src/fl/models/mlp.js';
import { reluBackward, reluForward } from '../../src/fl/models/relu.js';
import { softmaxCrossEntropy } from '../../src/fl/models/softmax-xent.js';
import type { FloatArray, Model } from '../../src/fl/models/types.js';
import { Rng } from '../../src/fl/rng.js';

const EPS = 1e-6;

/** Random values in [-1, 1), with a fraction set to exactly zero to exercise the kernels' sparse paths. */
function randomArray(rng: Rng, n: number, zeroFraction = 0, positive = false): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = positive ? 0.1 + rng.nextFloat() : 2 * rng.nextFloat() - 1;
    a[i] = rng.nextFloat() < zeroFraction ? 0 : v;
  }
  return a;
}

/** Central difference of `f` with respect to `a[i]` in float64. */
function numericGrad(f: () => number, a: FloatArray, i: number, eps = EPS): number {
  const saved = a[i];
  a[i] = saved + eps;
  const hi = a[i]; // in a Float32Array the stored step is not exactly eps
  const up = f();
  a[i] = saved - eps;
  const lo = a[i];
  const down = f();
  a[i] = saved;
  return (up - down) / (hi - lo);
}

function assertGradClose(analytic: ArrayLike<number>, f: () => number, a: FloatArray, what: string, indices?: number[]): void {
  const idx = indices ?? Array.from({ length: a.length }, (_, i) => i);
  for (const i of idx) {
    const num = numericGrad(f, a, i);
    const ana = analytic[i];
    const tol = 1e-6 + 1e-5 * Math.max(Math.abs(num), Math.abs(ana));
    assert.ok(Math.abs(num - ana) <= tol, `${what}[${i}]: analytic ${ana}, numeric ${num}`);
  }
}

/** Scalar projection sum(y * r) of a layer's output: its gradient with respect to y is r. */
function dot(a: FloatArray, b: FloatArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

describe('layer gradients (float64, finite differences)', () => {
  it('dense: weights, bias and input, with sparse inputs and output gradients', () => {
    const rng = Rng.fromSeed(1);
    const n = 3;
    const shape: DenseShape = { inSize: 7, outSize: 11, wOff: 2, bOff: 2 + 77 };
    const params = randomArray(rng, 2 + 77 + 11 + 3);
    const x = randomArray(rng, n * 7, 0.3);
    const r = randomArray(rng, n * 11, 0.3);
    const y = new Float64Array(n * 11);
    const loss = (): number => {
      denseForward(shape, params, x, y, n);
      return dot(y, r, y.length);
    };
    const grad = new Float64Array(params.length);
    const dx = new Float64Array(n * 7);
    loss();
    denseBackward(shape, params, x, r, grad, n, dx);
    assertGradClose(grad, loss, params, 'dense params');
    assertGradClose(dx, loss, x, 'dense dx');
    assert.equal(grad[0], 0);
    assert.equal(grad[params.length - 1], 0);
    // The ReLU-fused mask keeps dx exactly where the input is positive.
    const xPos = Float64Array.from(x, (v) => Math.max(v, 0));
    const dxAll = new Float64Array(n * 7);
    const dxMasked = new Float64Array(n * 7);
    denseBackward(shape, params, xPos, r, new Float64Array(params.length), n, dxAll);
    denseBackward(shape, params, xPos, r, new Float64Array(params.length), n, dxMasked, true);
    for (let i = 0; i < dxAll.length; i++) assert.equal(dxMasked[i], xPos[i] > 0 ? dxAll[i] : 0);
  });

  for (const k of [3, 5]) {
    it(`conv2d ${k}x${k} 'same': weights, bias and input`, () => {
      const rng = Rng.fromSeed(2 + k);
      const n = 2;
      const s: Conv2dShape = { height: 6, width: 5, inC: 2, outC: 3, k, wOff: 1, bOff: 1 + k * k * 6 };
      const params = randomArray(rng, s.bOff + 3 + 1);
      const x = randomArray(rng, n * 6 * 5 * 2, 0.3);
      const r = randomArray(rng, n * 6 * 5 * 3, 0.5);
      const y = new Float64Array(r.length);
      const loss = (): number => {
        conv2dForward(s, params, x, y, n);
        return dot(y, r, y.length);
      };
      const grad = new Float64Array(params.length);
      const dx = new Float64Array(x.length);
      loss();
      conv2dBackward(s, params, x, r, grad, n, dx);
      assertGradClose(grad, loss, params, 'conv params');
      assertGradClose(dx, loss, x, 'conv dx');
      const dxMasked = new Float64Array(x.length);
      conv2dBackward(s, params, x, r, new Float64Array(params.length), n, dxMasked, true);
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(dxMasked[i] - (x[i] !== 0 ? dx[i] : 0)) < 1e-12);
    });
  }

  it('conv2d matches a direct (dense) convolution', () => {
    const rng = Rng.fromSeed(9);
    const s: Conv2dShape = { height: 4, width: 4, inC: 2, outC: 2, k: 3, wOff: 0, bOff: 36 };
    const params = randomArray(rng, 38);
    const x = randomArray(rng, 32, 0.2);
    const y = new Float64Array(32);
    conv2dForward(s, params, x, y, 1);
    for (let py = 0; py < 4; py++) {
      for (let px = 0; px < 4; px++) {
        for (let oc = 0; oc < 2; oc++) {
          let ref = params[36 + oc];
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = py + ky - 1;
              const ix = px + kx - 1;
              if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4) continue;
              for (let ic = 0; ic < 2; ic++) ref += x[(iy * 4 + ix) * 2 + ic] * params[((ky * 3 + kx) * 2 + ic) * 2 + oc];
            }
          }
          assert.ok(Math.abs(y[(py * 4 + px) * 2 + oc] - ref) < 1e-12);
        }
      }
    }
  });

  it('max-pool 2x2', () => {
    const rng = Rng.fromSeed(3);
    const s = { height: 4, width: 6, channels: 3 };
    const n = 2;
    const x = randomArray(rng, n * 4 * 6 * 3);
    const r = randomArray(rng, n * 2 * 3 * 3);
    const y = new Float64Array(r.length);
    const arg = new Int32Array(r.length);
    const loss = (): number => {
      maxPoolForward(s, x, y, arg, n);
      return dot(y, r, y.length);
    };
    loss();
    const dx = new Float64Array(x.length).fill(7); // must be overwritten
    maxPoolBackward(s, r, arg, dx, n);
    assertGradClose(dx, loss, x, 'maxpool dx');
  });

  it('ReLU', () => {
    const rng = Rng.fromSeed(4);
    const x = randomArray(rng, 40);
    const r = randomArray(rng, 40);
    const y = new Float64Array(40);
    const loss = (): number => {
      reluForward(x, y, 40);
      return dot(y, r, 40);
    };
    loss();
    const dx = new Float64Array(40);
    reluBackward(y, r, dx, 40);
    assertGradClose(dx, loss, x, 'relu dx');
  });

  it('softmax cross-entropy (mean over the batch)', () => {
    const rng = Rng.fromSeed(5);
    const n = 4;
    const logits = randomArray(rng, n * 5).map((v) => 3 * v);
    const labels = [0, 4, 2, 2];
    const d = new Float64Array(n * 5);
    const loss = (): number => softmaxCrossEntropy(logits, labels, n, 5, null) / n;
    softmaxCrossEntropy(logits, labels, n, 5, d);
    assertGradClose(d, loss, logits, 'xent dlogits');
    // Reference value for one row: -log(softmax).
    const row = [1, 2, 3];
    const ref = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 2;
    assert.ok(Math.abs(softmaxCrossEntropy(Float64Array.from(row), [1], 1, 3, null) - ref) < 1e-12);
  });
});

function checkModel(model: Model, rng: Rng, x: FloatArray, labels: number[], n: number): void {
  const params = new Float64Array(model.paramCount);
  model.init(params, rng);
  const grad = new Float64Array(model.paramCount);
  model.lossAndGrad(params, grad, x, labels, n);
  const scratch = new Float64Array(model.paramCount);
  const loss = (): number => model.lossAndGrad(params, scratch, x, labels, n);
  assertGradClose(grad, loss, params, model.name);
}

describe('model gradients (float64, every parameter)', () => {
  it('MLP', () => {
    const rng = Rng.fromSeed(6);
    const model = createMlp({ inputSize: 12, hidden: [9, 8], classes: 4, floatType: Float64Array });
    const x = randomArray(rng, 5 * 12, 0.5, true);
    checkModel(model, rng, x, [0, 1, 2, 3, 1], 5);
  });

  it('CNN', () => {
    const rng = Rng.fromSeed(7);
    const model = createCnn({ side: 8, channels: [3, 4], kernel: 3, hidden: 6, classes: 4, floatType: Float64Array });
    const x = randomArray(rng, 3 * 64, 0.5, true);
    checkModel(model, rng, x, [3, 0, 2], 3);
  });
});

describe('real-size models on MNIST (float32, largest gradients)', () => {
  const data = loadMnist('train', { limit: 4 });

  for (const [name, make] of [['MLP 784-200-200-10', () => createMlp()], ['CNN of FedAvg', () => createCnn()]] as const) {
    it(name, () => {
      const model = make();
      const params = new Float32Array(model.paramCount);
      model.init(params, Rng.fromSeed(8));
      const grad = new Float32Array(model.paramCount);
      const x = data.images.subarray(0, 4 * 784);
      model.lossAndGrad(params, grad, x, data.labels, 4);
      const scratch = new Float32Array(model.paramCount);
      // A few of the largest gradients in every parameter tensor.
      for (const block of model.layout) {
        const idx = Array.from({ length: block.size }, (_, i) => block.offset + i)
          .sort((a, b) => Math.abs(grad[b]) - Math.abs(grad[a]))
          .slice(0, 3);
        for (const i of idx) {
          const num = numericGrad(() => model.lossAndGrad(params, scratch, x, data.labels, 4), params, i, 2e-4);
          // float32 rounding of the loss (~1e-7) over a 4e-4 step leaves ~1e-3 of noise; a bigger step crosses ReLU kinks.
          assert.ok(Math.abs(num - grad[i]) < 0.03 * Math.abs(grad[i]) + 1e-3, `${block.name}[${i - block.offset}]: analytic ${grad[i]}, numeric ${num}`);
        }
      }
    });
  }
});
