/** Shared types of the FL models: flat parameter vectors and the {@link Model} interface. */
import type { Rng } from '../rng.js';

/**
 * A flat vector of numbers. Training uses Float32Array; the layer kernels also accept Float64Array so the
 * gradient checks can run in double precision.
 */
export type FloatArray = Float32Array | Float64Array;

/** Constructor of a {@link FloatArray} type, for models whose scratch buffers should match their parameters. */
export type FloatArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Where one tensor of a model lives in the flat parameter vector. */
export interface ParamBlock {
  /** e.g. `fc1.weight`. */
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Shape in the order the kernels index it, e.g. `[in, out]` for a dense weight. */
  readonly shape: readonly number[];
  /** Fan-in of the layer, for PyTorch-style initialisation bounds. */
  readonly fanIn: number;
}

/** Loss summed over a set of examples and how many were classified correctly. */
export interface EvalResult {
  /** Sum (not mean) of per-example cross-entropy losses. */
  readonly lossSum: number;
  readonly correct: number;
  readonly count: number;
}

/**
 * A classifier whose parameters are one flat vector. Instances own preallocated scratch buffers, so they are not
 * re-entrant: use one instance per thread of execution. Scratch grows (once) if a call needs a larger batch than
 * any before it; steady-state training allocates nothing.
 */
export interface Model {
  readonly name: string;
  /** Values per input example. */
  readonly inputSize: number;
  readonly classes: number;
  /** Length of the flat parameter (and gradient) vector. */
  readonly paramCount: number;
  readonly layout: readonly ParamBlock[];
  /** Fills `params` with PyTorch's default initialisation (uniform within ±1/sqrt(fan_in)) drawn from `rng`. */
  init(params: FloatArray, rng: Rng): void;
  /**
   * Mean softmax cross-entropy over the `n` examples in `x` (row-major, `n * inputSize`) and its gradient,
   * which overwrites `grad`.
   */
  lossAndGrad(params: FloatArray, grad: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): number;
  /**
   * Optional: a run of plain SGD steps, `params[i] -= lr * grad[i]` after each {@link lossAndGrad}, kept inside the
   * model (the wasm models step in their own memory instead of copying the gradient out and looping over it in
   * JavaScript, and read `params` once). The bits are those of lossAndGrad + `Sgd.step`. `params` is current again
   * after {@link StepSession.finish}; until then any other call on the model throws.
   */
  startSteps?(params: FloatArray, lr: number): StepSession;
  /** Loss and correct count over `n` examples, processed in fixed-size chunks (a fixed summation order). */
  evaluate(params: FloatArray, x: FloatArray, labels: ArrayLike<number>, n: number): EvalResult;
  /** Writes logits (`n * classes`) for `n` examples into `out`. */
  predict(params: FloatArray, x: FloatArray, n: number, out: FloatArray): void;
}

/** Steps opened by {@link Model.startSteps}. */
export interface StepSession {
  /** One step on `n` examples (`x`, `labels` as for lossAndGrad); returns the mean loss before the step. */
  step(x: FloatArray, labels: ArrayLike<number>, n: number): number;
  /** Writes the parameters back to the array given to startSteps and frees the model; a second call does nothing. */
  finish(): void;
}
