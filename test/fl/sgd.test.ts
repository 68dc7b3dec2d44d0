import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Sgd } from '../../src/fl/optim/sgd.js';

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);
const close = (a: ArrayLike<number>, b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

describe('SGD', () => {
  it('plain step: w -= lr * g', () => {
    const w = f32([1, -2, 0.5]);
    new Sgd({ lr: 0.1 }).step(w, f32([1, 1, -2]));
    close(w, [0.9, -2.1, 0.7]);
  });

  it('weight decay adds wd * w to the gradient', () => {
    const w = f32([1, -2]);
    new Sgd({ lr: 0.1, weightDecay: 0.5 }).step(w, f32([0, 1]));
    close(w, [1 - 0.1 * 0.5, -2 - 0.1 * (1 - 1)]);
  });

  it('momentum follows PyTorch: buf = m * buf + g (buf = g at first), w -= lr * buf', () => {
    const opt = new Sgd({ lr: 0.1, momentum: 0.9 });
    const w = f32([1]);
    opt.step(w, f32([1])); // buf 1, w 0.9
    close(w, [0.9]);
    opt.step(w, f32([1])); // buf 1.9, w 0.71
    close(w, [0.71]);
    const saved = opt.getState();
    opt.step(w, f32([0])); // buf 1.71, w 0.539
    close(w, [0.539]);
    opt.setState(saved);
    const w2 = f32([0.71]);
    opt.step(w2, f32([0]));
    close(w2, [0.539]);
    opt.reset();
    opt.step(w2, f32([2])); // fresh buf 2
    close(w2, [0.339]);
  });

  it('FedProx adds mu * (w - anchor)', () => {
    const opt = new Sgd({ lr: 0.5 });
    opt.setProximal({ mu: 0.1, anchor: f32([0, 1]) });
    const w = f32([2, 1]);
    opt.step(w, f32([0, 0]));
    close(w, [2 - 0.5 * 0.1 * 2, 1]);
    opt.setProximal(null);
    opt.step(w, f32([0, 0]));
    close(w, [1.9, 1]);
  });

  it('combines momentum, weight decay and prox in one gradient', () => {
    const opt = new Sgd({ lr: 0.1, momentum: 0.5, weightDecay: 0.2 });
    opt.setProximal({ mu: 1, anchor: f32([0.5]) });
    const w = f32([1]);
    opt.step(w, f32([0.3])); // g = 0.3 + 0.2 + 0.5 = 1.0; w = 0.9
    close(w, [0.9]);
    opt.step(w, f32([0.3])); // g = 0.3 + 0.18 + 0.4 = 0.88; buf = 0.5 + 0.88 = 1.38; w = 0.762
    close(w, [0.762]);
  });

  it('validates its options', () => {
    assert.throws(() => new Sgd({ lr: -1 }), /lr/);
    assert.throws(() => new Sgd({ lr: 0.1, momentum: 1 }), /momentum/);
  });
});
