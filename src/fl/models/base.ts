/**
 * What the model classes share: the {@link Model} fields that describe their shape, batched `predict()`, chunked
 * `evaluate()`, and for
 * the wasm models the JS model of the same shape that lends them its name, layout and initialisation, plus the
 * arena and the parameter copy-in.
 */
import { FlArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import { WasmArena, type Ptr } from '../wasm/arena.js';
import { EVAL_CHUNK, evaluateInChunks } from './evaluate.js';
import type { EvalResult, FloatArray, FloatArrayCtor, Model, ParamBlock, StepSession } from './types.js';

/** The shape of a model, as its constructor works it out; the parameter count follows from the layout. */
export type ModelShape = Pick<Model, 'name' | 'inputSize' | 'classes' | 'layout'>;

/** Base of every model class: its shape fields, the float type of its scratch, `predict()` and `evaluate()`. */
export abstract class ModelBase implements Model {
  readonly name: string;
  readonly inputSize: number;
  readonly classes: number;
  readonly paramCount: number;
  readonly layout: readonly ParamBlock[];
  private readonly evalLogits: FloatArray;
  private readonly evalLabels = new Int32Array(EVAL_CHUNK);

  protected constructor(
    shape: ModelShape,
    /** Type of the scratch buffers; it should match the parameter arrays' type. */
    protected readonly floatType: FloatArrayCtor,
  ) {
    this.name = shape.name;
    this.inputSize = shape.inputSize;
    this.classes = shape.classes;
    this.layout = shape.layout;
    const last = shape.layout[shape.layout.length - 1];
    this.paramCount = last.offset + last.size;
    this.evalLogits = new floatType(EVAL_CHUNK * this.classes);
  }

  abstract init(params: FloatArray, rng: Rng): void;
  abstract lossAndGrad(params: FloatArray, grad: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): number;

  /** Readies the scratch (and, for models that copy them, the parameters) to predict `n` examples; returns the batch size. */
  protected abstract preparePredict(params: FloatArray, n: number): number;
  /** The forward pass over `m` examples (at most the batch size); returns a view whose first `m * classes` values are their logits. */
  protected abstract forwardLogits(params: FloatArray, x: FloatArray, m: number): FloatArray;

  predict(params: FloatArray, x: FloatArray, n: number, out: FloatArray): void {
    const batch = this.preparePredict(params, n);
    const c = this.classes;
    for (let start = 0; start < n; start += batch) {
      const m = Math.min(batch, n - start);
      const logits = this.forwardLogits(params, x.subarray(start * this.inputSize, (start + m) * this.inputSize), m);
      out.set(logits.subarray(0, m * c), start * c);
    }
  }

  evaluate(params: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): EvalResult {
    return evaluateInChunks(
      (xs, m, out) => this.predict(params, xs, m, out),
      this.inputSize,
      this.classes,
      x,
      labels,
      n,
      this.evalLogits,
      this.evalLabels,
    );
  }
}

/**
 * Base of the wasm models. `meta` is the float32 JS model of the same shape: its name, layout and initialisation are
 * reused as they are. Parameters and gradients live in the arena `a`, laid out by the subclass's `reserve`.
 */
export abstract class WasmModelBase extends ModelBase {
  protected readonly a = new WasmArena();
  /** Largest batch the arena is laid out for. */
  protected capacity = 0;
  protected params: Ptr = 0;
  protected grad: Ptr = 0;
  /** The open step session, if any: it owns the arena's parameters until it finishes. */
  private session: object | null = null;

  protected constructor(private readonly meta: Model) {
    super(meta, Float32Array);
  }

  init(params: FloatArray, rng: Rng): void {
    this.meta.init(params, rng);
  }

  /** Largest batch a forward pass covers during prediction. */
  protected abstract readonly predictBatch: number;

  /** Lays the arena out for batches of up to `n` (once per larger batch; steady state allocates nothing). */
  protected reserve(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.a.reset();
    this.params = this.a.alloc(this.paramCount);
    this.grad = this.a.alloc(this.paramCount);
    this.layOut(n);
  }

  /** Lays out the rest of the arena (after the parameters and the gradient) for batches of up to `n`. */
  protected abstract layOut(n: number): void;

  /**
   * Forward and backward pass over `n` examples with the parameters already in the arena; leaves the gradient at
   * `this.grad` and returns the mean loss.
   */
  protected abstract gradientInArena(x: FloatArray, labels: ArrayLike<number>, n: number): number;

  lossAndGrad(params: FloatArray, grad: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): number {
    this.assertNoSession();
    this.reserve(n);
    this.copyParams(params);
    const loss = this.gradientInArena(x, labels, n);
    grad.set(this.a.floats(this.grad, this.paramCount));
    return loss;
  }

  startSteps(params: FloatArray, lr: number): StepSession {
    if (this.session !== null) throw new FlArgumentError(`${this.name}: a step session is already open on this model`);
    const token = {};
    this.session = token;
    let loaded = false;
    const writeBack = () => {
      if (loaded) params.set(this.a.floats(this.params, this.paramCount));
    };
    return {
      step: (x: FloatArray, labels: ArrayLike<number>, n: number): number => {
        if (this.session !== token) throw new FlArgumentError(`${this.name}: this step session is finished`);
        if (n > this.capacity) {
          // A larger batch lays the arena out again, parameters included: save them first.
          writeBack();
          this.reserve(n);
          loaded = false;
        }
        if (!loaded) {
          this.a.f32.set(params.subarray(0, this.paramCount), this.params >> 2);
          loaded = true;
        }
        const loss = this.gradientInArena(x, labels, n);
        this.a.k.sgd(this.params, this.grad, this.paramCount, lr);
        return loss;
      },
      finish: () => {
        if (this.session !== token) return;
        writeBack();
        this.session = null;
      },
    };
  }

  protected preparePredict(params: FloatArray, n: number): number {
    this.assertNoSession();
    this.reserve(Math.min(n, this.predictBatch));
    this.copyParams(params);
    return this.capacity;
  }

  /** An open session's parameters live only in the arena: any other use of the model would lose its steps. */
  private assertNoSession(): void {
    if (this.session !== null) throw new FlArgumentError(`${this.name}: finish() its step session before other calls`);
  }

  /** Copies the caller's parameters into the arena. */
  protected copyParams(params: FloatArray): void {
    this.a.f32.set(params.subarray(0, this.paramCount), this.params >> 2);
  }
}
