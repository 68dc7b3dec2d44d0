/**
 * A client's local training (epochs of shuffled minibatch SGD over its examples) and evaluation of a model on a
 * dataset. Pure computation: the executor decides where these run.
 */
import type { Dataset } from './data/mnist.js';
import type { FloatArray, Model } from './models/types.js';
import type { Sgd } from './optim/sgd.js';
import type { Rng } from './rng.js';
import { FlArgumentError } from './errors.js';

/** What {@link LocalTrainer.train} reports. */
export interface TrainResult {
  /** Mean of the minibatch losses of the last epoch, weighted by batch size (the average loss per example). */
  readonly loss: number;
  /** Optimiser steps taken. */
  readonly steps: number;
  /** Examples processed, counting each epoch (epochs x client size). */
  readonly examples: number;
}

/** Options for {@link LocalTrainer.train}. */
export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
}

/**
 * Trains a model in place. Holds the gradient, minibatch and shuffle buffers so repeated calls (one per client
 * per round, on one thread) allocate nothing per step.
 */
export class LocalTrainer {
  private grad: Float32Array;
  private batchX = new Float32Array(0);
  private batchY = new Uint8Array(0);
  private order = new Uint32Array(0);

  constructor(readonly model: Model) {
    this.grad = new Float32Array(model.paramCount);
  }

  /**
   * Runs `epochs` passes over `indices` (examples of `data`): each epoch shuffles the client's order with `rng`,
   * then steps `optimizer` on every minibatch, the last partial one included. `params` is updated in place.
   */
  train(
    params: Float32Array,
    indices: ArrayLike<number>,
    data: Dataset,
    options: TrainOptions,
    optimizer: Sgd,
    rng: Rng,
  ): TrainResult {
    const { epochs, batchSize } = options;
    if (!Number.isInteger(epochs) || epochs < 0) throw new FlArgumentError(`epochs must be a non-negative integer, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new FlArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
    const features = data.features;
    if (features !== this.model.inputSize) {
      throw new FlArgumentError(`dataset has ${features} features per example, model ${this.model.name} expects ${this.model.inputSize}`);
    }
    const count = indices.length;
    this.reserve(count, Math.min(batchSize, Math.max(1, count)), features);
    const order = this.order;
    for (let i = 0; i < count; i++) order[i] = indices[i];
    const x = this.batchX;
    const y = this.batchY;
    let steps = 0;
    let lossSum = 0;
    // A plain step runs inside the model where it can (the same bits as lossAndGrad + optimizer.step).
    const rate = optimizer.plainRate();
    const session = rate === null ? undefined : this.model.startSteps?.(params, rate);
    try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      // Shuffle a running copy: each epoch permutes the previous epoch's order, as a DataLoader reshuffle would.
      rng.shuffle(order.subarray(0, count));
      lossSum = 0;
      for (let start = 0; start < count; start += batchSize) {
        const n = Math.min(batchSize, count - start);
        const images = data.images;
        for (let b = 0; b < n; b++) {
          const e = order[start + b];
          x.set(images.subarray(e * features, (e + 1) * features), b * features);
          y[b] = data.labels[e];
        }
        let loss: number;
        if (session) loss = session.step(x, y, n);
        else {
          loss = this.model.lossAndGrad(params, this.grad, x, y, n);
          optimizer.step(params, this.grad);
        }
        lossSum += loss * n;
        steps++;
      }
    }
    } finally {
      session?.finish();
    }
    return { loss: count === 0 ? 0 : lossSum / count, steps, examples: epochs * count };
  }

  private reserve(count: number, batch: number, features: number): void {
    if (this.order.length < count) this.order = new Uint32Array(count);
    if (this.batchY.length < batch) {
      this.batchX = new Float32Array(batch * features);
      this.batchY = new Uint8Array(batch);
    }
  }
}

/** Accuracy and mean loss of a model on (the first `limit` examples of) a dataset. */
export interface EvaluateResult {
  readonly accuracy: number;
  readonly loss: number;
  readonly count: number;
}

/** Evaluates `params` on `data` (all of it, or its first `limit` examples). */
export function evaluate(model: Model, params: FloatArray, data: Dataset, limit = data.count): EvaluateResult {
  const n = Math.min(limit, data.count);
  const r = model.evaluate(params, data.images, data.labels, n);
  return { accuracy: n === 0 ? 0 : r.correct / n, loss: n === 0 ? 0 : r.lossSum / n, count: n };
}
