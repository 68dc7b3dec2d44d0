/**
 * The FedAvg paper's CNN for MNIST: conv 5x5x32 'same' + ReLU, 2x2 max-pool, conv 5x5x64 + ReLU, 2x2 max-pool,
 * dense 512 + ReLU, dense 10 (1,663,370 parameters). Activations are channel-last (HWC).
 */
import type { Rng } from '../rng.js';
import { conv2dBackward, conv2dForward, type Conv2dShape } from './conv2d.js';
import { denseBackward, denseForward, type DenseShape } from './dense.js';
import { ModelBase } from './base.js';
import { buildLayout, initUniformFanIn } from './init.js';
import { maxPoolBackward, maxPoolForward, type MaxPoolShape } from './maxpool.js';
import { reluBackward, reluForward } from './relu.js';
import { softmaxCrossEntropy } from './softmax-xent.js';
import { useWasm } from './kernel-choice.js';
import { createWasmCnn } from './wasm-cnn.js';
import type { KernelChoice, kernelChoice } from '../wasm/loader.js';
import type { FloatArray, FloatArrayCtor, Model } from './types.js';
import { FlArgumentError } from '../errors.js';

/** Options for {@link createCnn}; the defaults give the paper's MNIST model. Sides must be divisible by 4. */
export interface CnnOptions {
  /** Image side (default 28). */
  readonly side?: number;
  /** Input channels (default 1). */
  readonly inC?: number;
  /** Channels of the first and second convolutions (default 32, 64). */
  readonly channels?: readonly [number, number];
  /** Kernel side (odd, default 5). */
  readonly kernel?: number;
  /** Units of the hidden dense layer (default 512). */
  readonly hidden?: number;
  readonly classes?: number;
  /** Scratch precision; must match the parameter arrays' type for best speed. Default Float32Array. */
  readonly floatType?: FloatArrayCtor;
  /**
   * Kernels of a float32 model: default {@link kernelChoice} (wasm SIMD where available, the same in every thread
   * and process of a run). Float64 models always run the JS kernels.
   */
  readonly kernels?: KernelChoice;
}

class Cnn extends ModelBase {
  private readonly conv1: Conv2dShape;
  private readonly pool1: MaxPoolShape;
  private readonly conv2: Conv2dShape;
  private readonly pool2: MaxPoolShape;
  private readonly fc1: DenseShape;
  private readonly fc2: DenseShape;
  /** Values per image out of each convolution. */
  private readonly conv1Out: number;
  private readonly conv2Out: number;
  private capacity = 0;
  // Activations (a = conv output after ReLU, p = pooled, h = hidden, z = logits) and their gradients.
  private a1: FloatArray;
  private p1: FloatArray;
  private a2: FloatArray;
  private p2: FloatArray;
  private h: FloatArray;
  private z: FloatArray;
  private arg1 = new Int32Array(0);
  private arg2 = new Int32Array(0);
  private da1: FloatArray;
  private dp1: FloatArray;
  private da2: FloatArray;
  private dp2: FloatArray;
  private dh: FloatArray;
  private dz: FloatArray;

  constructor(options: CnnOptions) {
    const side = options.side ?? 28;
    if (side % 4 !== 0) throw new FlArgumentError(`cnn: side must be divisible by 4, got ${side}`);
    const inC = options.inC ?? 1;
    const [c1, c2] = options.channels ?? [32, 64];
    const k = options.kernel ?? 5;
    if (k % 2 !== 1) throw new FlArgumentError(`cnn: kernel side must be odd, got ${k}`);
    const hidden = options.hidden ?? 512;
    const classes = options.classes ?? 10;
    const flat = (side / 4) * (side / 4) * c2;
    const layout = buildLayout([
      ['conv1.weight', [k, k, inC, c1], k * k * inC],
      ['conv1.bias', [c1], k * k * inC],
      ['conv2.weight', [k, k, c1, c2], k * k * c1],
      ['conv2.bias', [c2], k * k * c1],
      ['fc1.weight', [flat, hidden], flat],
      ['fc1.bias', [hidden], flat],
      ['fc2.weight', [hidden, classes], hidden],
      ['fc2.bias', [classes], hidden],
    ]);
    const name = `cnn-${side}x${side}x${inC}-c${c1}-c${c2}-k${k}-fc${hidden}-${classes}`;
    super({ name, inputSize: side * side * inC, classes, layout }, options.floatType ?? Float32Array);
    const off = (i: number): number => this.layout[i].offset;
    this.conv1 = { height: side, width: side, inC, outC: c1, k, wOff: off(0), bOff: off(1) };
    this.pool1 = { height: side, width: side, channels: c1 };
    this.conv2 = { height: side / 2, width: side / 2, inC: c1, outC: c2, k, wOff: off(2), bOff: off(3) };
    this.pool2 = { height: side / 2, width: side / 2, channels: c2 };
    this.conv1Out = side * side * c1;
    this.conv2Out = (side / 2) * (side / 2) * c2;
    this.fc1 = { inSize: flat, outSize: hidden, wOff: off(4), bOff: off(5) };
    this.fc2 = { inSize: hidden, outSize: this.classes, wOff: off(6), bOff: off(7) };
    const empty = new this.floatType(0);
    this.a1 = this.p1 = this.a2 = this.p2 = this.h = this.z = empty;
    this.da1 = this.dp1 = this.da2 = this.dp2 = this.dh = this.dz = empty;
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    const F = this.floatType;
    const s1 = this.conv1Out;
    const s2 = this.conv2Out;
    this.a1 = new F(n * s1);
    this.da1 = new F(n * s1);
    this.p1 = new F((n * s1) / 4);
    this.dp1 = new F((n * s1) / 4);
    this.arg1 = new Int32Array((n * s1) / 4);
    this.a2 = new F(n * s2);
    this.da2 = new F(n * s2);
    this.p2 = new F((n * s2) / 4);
    this.dp2 = new F((n * s2) / 4);
    this.arg2 = new Int32Array((n * s2) / 4);
    this.h = new F(n * this.fc1.outSize);
    this.dh = new F(n * this.fc1.outSize);
    this.z = new F(n * this.classes);
    this.dz = new F(n * this.classes);
  }

  init(params: FloatArray, rng: Rng): void {
    initUniformFanIn(params, this.layout, rng);
  }

  private forward(params: FloatArray, x: FloatArray, n: number): void {
    conv2dForward(this.conv1, params, x, this.a1, n);
    reluForward(this.a1, this.a1, n * this.conv1Out);
    maxPoolForward(this.pool1, this.a1, this.p1, this.arg1, n);
    conv2dForward(this.conv2, params, this.p1, this.a2, n);
    reluForward(this.a2, this.a2, n * this.conv2Out);
    maxPoolForward(this.pool2, this.a2, this.p2, this.arg2, n);
    denseForward(this.fc1, params, this.p2, this.h, n);
    reluForward(this.h, this.h, n * this.fc1.outSize);
    denseForward(this.fc2, params, this.h, this.z, n);
  }

  lossAndGrad(params: FloatArray, grad: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): number {
    this.reserve(n);
    this.forward(params, x, n);
    const lossSum = softmaxCrossEntropy(this.z, labels, n, this.classes, this.dz);
    grad.fill(0, 0, this.paramCount);
    // Every layer input below is a ReLU (or ReLU + max-pool) output, so dx masks fuse those ReLUs' backward.
    denseBackward(this.fc2, params, this.h, this.dz, grad, n, this.dh, true);
    denseBackward(this.fc1, params, this.p2, this.dh, grad, n, this.dp2, true);
    maxPoolBackward(this.pool2, this.dp2, this.arg2, this.da2, n);
    reluBackward(this.a2, this.da2, this.da2, n * this.conv2Out);
    conv2dBackward(this.conv2, params, this.p1, this.da2, grad, n, this.dp1, true);
    maxPoolBackward(this.pool1, this.dp1, this.arg1, this.da1, n);
    reluBackward(this.a1, this.da1, this.da1, n * this.conv1Out);
    conv2dBackward(this.conv1, params, x, this.da1, grad, n, null);
    return lossSum / n;
  }

  protected preparePredict(_params: FloatArray, n: number): number {
    this.reserve(Math.min(n, 50));
    return this.capacity;
  }

  protected forwardLogits(params: FloatArray, x: FloatArray, m: number): FloatArray {
    this.forward(params, x, m);
    return this.z;
  }
}

/** Creates the FedAvg paper's MNIST CNN (or a smaller variant, for tests). */
export function createCnn(options: CnnOptions = {}): Model {
  const js = new Cnn(options);
  return useWasm(options) ? createWasmCnn(js) : js;
}
