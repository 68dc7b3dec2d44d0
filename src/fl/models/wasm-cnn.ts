/**
 * The FedAvg CNN on the wasm kernels (same layout as `cnn.ts`). Parameters, gradients, activations and scratch
 * live in one {@link WasmArena}; each step copies the caller's parameters in and the gradient out (about 1 ms each
 * for 1.66M parameters, a few percent of a step). ReLU, max-pooling and the loss run in JS on views of the
 * arena: they are cheap next to the convolutions and dense layers.
 */
import type { Ptr } from '../wasm/arena.js';
import { patchSize, wasmConvBackward, wasmConvForward, type ConvScratch, type WasmConvLayer } from '../wasm/conv.js';
import { denseScratchEntries, wasmDenseBackward, wasmDenseForward, type WasmDenseLayer } from '../wasm/dense.js';
import { WasmModelBase } from './base.js';
import { maxPoolBackward, maxPoolForward, type MaxPoolShape } from './maxpool.js';
import { softmaxCrossEntropy } from './softmax-xent.js';
import type { FloatArray, Model, ParamBlock } from './types.js';
import { FlProtocolError } from '../errors.js';

/** Largest batch a forward pass covers during prediction (bounds the arena at ~8 MB of activations). */
const PREDICT_BATCH = 50;

/** An activation buffer: its address for the kernels and a view for the JS layers. */
interface Buf {
  readonly p: Ptr;
  readonly v: Float32Array;
}

class WasmCnn extends WasmModelBase {
  private readonly side: number;
  private readonly inC: number;
  private readonly c1: number;
  private readonly c2: number;
  private readonly pool1: MaxPoolShape;
  private readonly pool2: MaxPoolShape;
  private conv1!: WasmConvLayer;
  private conv2!: WasmConvLayer;
  private fc1!: WasmDenseLayer;
  private fc2!: WasmDenseLayer;
  private scratch!: ConvScratch;
  // Activations (a = conv output after ReLU, p = pooled, h = hidden, z = logits), their gradients, pool argmaxes.
  private x!: Buf;
  private a1!: Buf;
  private p1!: Buf;
  private a2!: Buf;
  private p2!: Buf;
  private h!: Buf;
  private z!: Buf;
  private da1!: Buf;
  private dp1!: Buf;
  private da2!: Buf;
  private dp2!: Buf;
  private dh!: Buf;
  private dz!: Buf;
  private arg1 = new Int32Array(0);
  private arg2 = new Int32Array(0);
  protected readonly predictBatch = PREDICT_BATCH;
  /** `meta` is the JS CNN of the same shape (see {@link WasmModelBase}). */
  constructor(meta: Model) {
    super(meta);
    const [, , inC, c1] = this.block('conv1.weight').shape;
    const c2 = this.block('conv2.weight').shape[3];
    this.inC = inC;
    this.c1 = c1;
    this.c2 = c2;
    this.side = Math.round(Math.sqrt(this.inputSize / inC));
    this.pool1 = { height: this.side, width: this.side, channels: c1 };
    this.pool2 = { height: this.side / 2, width: this.side / 2, channels: c2 };
  }

  private block(name: string): ParamBlock {
    const b = this.layout.find((l) => l.name === name);
    if (b === undefined) throw new FlProtocolError(`cnn layout has no ${name}`);
    return b;
  }

  private convLayer(name: string, side: number): WasmConvLayer {
    const w = this.block(`${name}.weight`);
    const b = this.block(`${name}.bias`);
    const [k, , inC, outC] = w.shape;
    const p = this.params;
    const g = this.grad;
    return { height: side, width: side, inC, outC, k, w: p + 4 * w.offset, b: p + 4 * b.offset, gw: g + 4 * w.offset, gb: g + 4 * b.offset };
  }

  private denseLayer(name: string): WasmDenseLayer {
    const w = this.block(`${name}.weight`);
    const b = this.block(`${name}.bias`);
    const [inSize, outSize] = w.shape;
    const p = this.params;
    const g = this.grad;
    return { inSize, outSize, w: p + 4 * w.offset, b: p + 4 * b.offset, gw: g + 4 * w.offset, gb: g + 4 * b.offset };
  }

  protected layOut(n: number): void {
    const a = this.a;
    this.conv1 = this.convLayer('conv1', this.side);
    this.conv2 = this.convLayer('conv2', this.side / 2);
    this.fc1 = this.denseLayer('fc1');
    this.fc2 = this.denseLayer('fc2');
    const buf = (count: number): Buf => {
      const p = a.alloc(count);
      return { p, v: a.floats(p, count) };
    };
    const s1 = this.side * this.side * this.c1;
    const s2 = (this.side / 2) * (this.side / 2) * this.c2;
    const hidden = this.fc1.outSize;
    this.x = buf(n * this.inputSize);
    this.a1 = buf(n * s1);
    this.da1 = buf(n * s1);
    this.p1 = buf((n * s1) / 4);
    this.dp1 = buf((n * s1) / 4);
    this.a2 = buf(n * s2);
    this.da2 = buf(n * s2);
    this.p2 = buf((n * s2) / 4);
    this.dp2 = buf((n * s2) / 4);
    this.h = buf(n * hidden);
    this.dh = buf(n * hidden);
    this.z = buf(n * this.classes);
    this.dz = buf(n * this.classes);
    this.arg1 = new Int32Array((n * s1) / 4);
    this.arg2 = new Int32Array((n * s2) / 4);
    const convs = [this.conv1, this.conv2];
    const patch = Math.max(...convs.map(patchSize));
    const weights = Math.max(...convs.map((c) => patchSize(c) * c.outC));
    const cols = Math.max(...convs.map((c) => c.height * c.width * patchSize(c)));
    const list = Math.max(n, patch, this.side * this.side, this.c2) + 1;
    const lists = Math.max(list, denseScratchEntries(this.fc1.inSize, n), denseScratchEntries(hidden, n));
    this.scratch = {
      val: a.alloc(lists),
      idx: a.alloc(lists),
      col: a.alloc(cols),
      dcol: a.alloc(patch),
      wt: a.alloc(weights),
      gwt: a.alloc(weights),
    };
  }

  /** Copies `n` images in and runs the forward pass (parameters already copied); logits end in `z`. */
  private forward(x: FloatArray, n: number): void {
    const a = this.a;
    const s = this.scratch;
    this.x.v.set(x.subarray(0, n * this.inputSize));
    wasmConvForward(a, this.conv1, this.x.p, this.a1.p, n, s);
    const s1 = this.a1.v.length / this.capacity;
    a.k.relu(this.a1.p, this.a1.p, n * s1);
    maxPoolForward(this.pool1, this.a1.v, this.p1.v, this.arg1, n);
    wasmConvForward(a, this.conv2, this.p1.p, this.a2.p, n, s);
    const s2 = this.a2.v.length / this.capacity;
    a.k.relu(this.a2.p, this.a2.p, n * s2);
    maxPoolForward(this.pool2, this.a2.v, this.p2.v, this.arg2, n);
    wasmDenseForward(a, this.fc1, this.p2.p, this.h.p, n, s);
    a.k.relu(this.h.p, this.h.p, n * this.fc1.outSize);
    wasmDenseForward(a, this.fc2, this.h.p, this.z.p, n, s);
  }

  protected gradientInArena(x: FloatArray, labels: ArrayLike<number>, n: number): number {
    this.forward(x, n);
    const a = this.a;
    const s = this.scratch;
    const lossSum = softmaxCrossEntropy(this.z.v, labels, n, this.classes, this.dz.v);
    // Every layer input below is a ReLU (or ReLU + max-pool) output, so dx masks fuse those ReLUs' backward.
    wasmDenseBackward(a, this.fc2, this.h.p, this.dz.p, n, this.dh.p, true, s);
    wasmDenseBackward(a, this.fc1, this.p2.p, this.dh.p, n, this.dp2.p, true, s);
    const s2 = this.a2.v.length / this.capacity;
    maxPoolBackward(this.pool2, this.dp2.v, this.arg2, this.da2.v, n);
    a.k.relumask(this.a2.p, this.da2.p, this.da2.p, n * s2);
    wasmConvBackward(a, this.conv2, this.p1.p, this.da2.p, n, this.dp1.p, true, s);
    const s1 = this.a1.v.length / this.capacity;
    maxPoolBackward(this.pool1, this.dp1.v, this.arg1, this.da1.v, n);
    a.k.relumask(this.a1.p, this.da1.p, this.da1.p, n * s1);
    wasmConvBackward(a, this.conv1, this.x.p, this.da1.p, n, 0, false, s);
    return lossSum / n;
  }

  protected forwardLogits(_params: FloatArray, x: FloatArray, m: number): FloatArray {
    this.forward(x, m);
    return this.z.v;
  }
}

/** Wraps a float32 JS CNN (`meta`, used for its shape, layout and initialisation) in one running on wasm kernels. */
export function createWasmCnn(meta: Model): Model {
  return new WasmCnn(meta);
}
