/**
 * Multilayer perceptron with ReLU hidden layers; by default FedAvg paper's "2NN": 784-200-200-10.
 */
import type { Rng } from '../rng.js';
import { denseBackward, denseForward, type DenseShape } from './dense.js';
import { ModelBase } from './base.js';
import { EVAL_CHUNK } from './evaluate.js';
import { buildLayout, initUniformFanIn } from './init.js';
import { reluForward } from './relu.js';
import { softmaxCrossEntropy } from './softmax-xent.js';
import { useWasm } from './kernel-choice.js';
import { createWasmMlp } from './wasm-mlp.js';
import type { KernelChoice, kernelChoice } from '../wasm/loader.js';
import type { FloatArray, FloatArrayCtor, Model } from './types.js';

/** Options for {@link createMlp}. */
export interface MlpOptions {
  /** Default 784. */
  readonly inputSize?: number;
  /** Hidden layer sizes; default [200, 200]. */
  readonly hidden?: readonly number[];
  /** Default 10. */
  readonly classes?: number;
  /** Scratch precision; must match the parameter arrays' type for best speed. Default Float32Array. */
  readonly floatType?: FloatArrayCtor;
  /**
   * Kernels of a float32 model: default {@link kernelChoice} (wasm SIMD where available, the same in every thread
   * and process of a run). Float64 models always run the JS kernels.
   */
  readonly kernels?: KernelChoice;
}

class Mlp extends ModelBase {
  private readonly layers: DenseShape[] = [];
  private capacity = 0;
  private acts: FloatArray[] = [];
  private dActs: FloatArray[] = [];

  constructor(options: MlpOptions) {
    const inputSize = options.inputSize ?? 784;
    const classes = options.classes ?? 10;
    const hidden = options.hidden ?? [200, 200];
    const sizes = [inputSize, ...hidden, classes];
    const entries: [string, number[], number][] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      entries.push([`fc${l + 1}.weight`, [sizes[l], sizes[l + 1]], sizes[l]]);
      entries.push([`fc${l + 1}.bias`, [sizes[l + 1]], sizes[l]]);
    }
    super({ name: `mlp-${sizes.join('-')}`, inputSize, classes, layout: buildLayout(entries) }, options.floatType ?? Float32Array);
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.layers.push({
        inSize: sizes[l],
        outSize: sizes[l + 1],
        wOff: this.layout[2 * l].offset,
        bOff: this.layout[2 * l + 1].offset,
      });
    }
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = Math.max(n, this.capacity);
    this.acts = this.layers.map((l) => new this.floatType(this.capacity * l.outSize));
    this.dActs = this.layers.map((l) => new this.floatType(this.capacity * l.outSize));
  }

  init(params: FloatArray, rng: Rng): void {
    initUniformFanIn(params, this.layout, rng);
  }

  /** Forward pass into `this.acts`; the last entry holds the logits. */
  private forward(params: FloatArray, x: FloatArray, n: number): void {
    const last = this.layers.length - 1;
    let input = x;
    for (let l = 0; l <= last; l++) {
      const out = this.acts[l];
      denseForward(this.layers[l], params, input, out, n);
      if (l < last) reluForward(out, out, n * this.layers[l].outSize);
      input = out;
    }
  }

  lossAndGrad(params: FloatArray, grad: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): number {
    this.reserve(n);
    this.forward(params, x, n);
    const last = this.layers.length - 1;
    const lossSum = softmaxCrossEntropy(this.acts[last], labels, n, this.classes, this.dActs[last]);
    grad.fill(0, 0, this.paramCount);
    for (let l = last; l >= 0; l--) {
      const input = l === 0 ? x : this.acts[l - 1];
      const dInput = l === 0 ? null : this.dActs[l - 1];
      // Hidden inputs are ReLU outputs, so the ReLU backward is fused as a mask.
      denseBackward(this.layers[l], params, input, this.dActs[l], grad, n, dInput, true);
    }
    return lossSum / n;
  }

  protected preparePredict(_params: FloatArray, n: number): number {
    this.reserve(Math.min(n, EVAL_CHUNK));
    return this.capacity;
  }

  protected forwardLogits(params: FloatArray, x: FloatArray, m: number): FloatArray {
    this.forward(params, x, m);
    return this.acts[this.layers.length - 1];
  }
}

/** Creates an MLP (default 784-200-200-10, ReLU, the FedAvg paper's 2NN: 199,210 parameters). */
export function createMlp(options: MlpOptions = {}): Model {
  const js = new Mlp(options);
  return useWasm(options) ? createWasmMlp(js) : js;
}
