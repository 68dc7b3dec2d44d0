/**
 * The MLP on the wasm kernels. Parameters, gradients, activations and scratch all live in one {@link WasmArena};
 * each step copies the caller's parameters in and the gradient out (0.05 ms each for the 199k-parameter MLP),
 * so the {@link Model} contract (plain Float32Array in and out) is unchanged.
 */
import type { Ptr } from '../wasm/arena.js';
import { denseScratchEntries, wasmDenseBackward, wasmDenseForward, type SparseScratch, type WasmDenseLayer } from '../wasm/dense.js';
import { WasmModelBase } from './base.js';
import { EVAL_CHUNK } from './evaluate.js';
import { softmaxCrossEntropy } from './softmax-xent.js';
import type { FloatArray, Model } from './types.js';

class WasmMlp extends WasmModelBase {
  private x: Ptr = 0;
  private layers: WasmDenseLayer[] = [];
  private acts: Ptr[] = [];
  private dActs: Ptr[] = [];
  private scratch: SparseScratch = { val: 0, idx: 0 };
  protected readonly predictBatch = EVAL_CHUNK;

  /** `meta` is the JS model of the same shape (see {@link WasmModelBase}). */
  constructor(meta: Model) {
    super(meta);
  }

  protected layOut(n: number): void {
    const a = this.a;
    this.x = a.alloc(n * this.inputSize);
    this.layers = [];
    this.acts = [];
    this.dActs = [];
    let widest = n;
    for (let l = 0; 2 * l < this.layout.length; l++) {
      const w = this.layout[2 * l];
      const b = this.layout[2 * l + 1];
      const [inSize, outSize] = w.shape;
      widest = Math.max(widest, inSize);
      this.layers.push({
        inSize,
        outSize,
        w: this.params + 4 * w.offset,
        b: this.params + 4 * b.offset,
        gw: this.grad + 4 * w.offset,
        gb: this.grad + 4 * b.offset,
      });
      this.acts.push(a.alloc(n * outSize));
      this.dActs.push(a.alloc(n * outSize));
    }
    const list = Math.max(widest + 1, denseScratchEntries(widest, n));
    this.scratch = { val: a.alloc(list), idx: a.alloc(list) };
  }

  /** Copies `n` examples in and runs the forward pass (parameters already copied); logits end in the last `acts`. */
  private forward(x: FloatArray, n: number): void {
    const f = this.a.f32;
    f.set(x.subarray(0, n * this.inputSize), this.x >> 2);
    const last = this.layers.length - 1;
    let input = this.x;
    for (let l = 0; l <= last; l++) {
      const out = this.acts[l];
      wasmDenseForward(this.a, this.layers[l], input, out, n, this.scratch);
      if (l < last) this.a.k.relu(out, out, n * this.layers[l].outSize);
      input = out;
    }
  }

  protected gradientInArena(x: FloatArray, labels: ArrayLike<number>, n: number): number {
    this.forward(x, n);
    const last = this.layers.length - 1;
    const logits = this.a.floats(this.acts[last], n * this.classes);
    const dLogits = this.a.floats(this.dActs[last], n * this.classes);
    const lossSum = softmaxCrossEntropy(logits, labels, n, this.classes, dLogits);
    for (let l = last; l >= 0; l--) {
      const input = l === 0 ? this.x : this.acts[l - 1];
      const dInput = l === 0 ? 0 : this.dActs[l - 1];
      wasmDenseBackward(this.a, this.layers[l], input, this.dActs[l], n, dInput, true, this.scratch);
    }
    return lossSum / n;
  }

  protected forwardLogits(_params: FloatArray, x: FloatArray, m: number): FloatArray {
    this.forward(x, m);
    return this.a.floats(this.acts[this.layers.length - 1], m * this.classes);
  }
}

/** Wraps a float32 JS MLP (`meta`, used for its shape, layout and initialisation) in one running on wasm kernels. */
export function createWasmMlp(meta: Model): Model {
  return new WasmMlp(meta);
}
