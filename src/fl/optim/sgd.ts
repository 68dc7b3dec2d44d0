/**
 * Stochastic gradient descent over flat parameter vectors, with PyTorch's semantics for momentum and weight decay,
 * plus FedProx's proximal term.
 *
 * One step, per element:  g = grad + weightDecay * w + mu * (w - anchor);
 *                         buf = momentum * buf + g   (buf = g on the first step);
 *                         w  -= lr * (momentum > 0 ? buf : g).
 */
import type { FloatArray } from '../models/types.js';
import { FlArgumentError } from '../errors.js';

/** Options for {@link Sgd}. */
export interface SgdOptions {
  readonly lr: number;
  /** Momentum factor (PyTorch style, no dampening); 0 disables the buffer. Default 0. */
  readonly momentum?: number;
  /** L2 penalty added to the gradient as `weightDecay * w`. Default 0. */
  readonly weightDecay?: number;
}

/** FedProx proximal term: adds `mu * (w - anchor)` to the gradient, pulling towards the round's global model. */
export interface ProximalTerm {
  readonly mu: number;
  /** The global parameters at the start of the round. */
  readonly anchor: FloatArray;
}

/** Serialisable optimiser state, for checkpoints. */
export interface SgdState {
  /** Momentum buffer, or null before the first step / without momentum. */
  readonly momentumBuffer: Float32Array | null;
}

/** SGD for one parameter vector. Allocates its momentum buffer once, on the first step that needs it. */
export class Sgd {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private proximal: ProximalTerm | null = null;
  private buffer: Float32Array | null = null;

  constructor(options: SgdOptions) {
    if (!(options.lr >= 0)) throw new FlArgumentError(`lr must be >= 0, got ${options.lr}`);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new FlArgumentError(`momentum must be in [0, 1), got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new FlArgumentError(`weightDecay must be >= 0, got ${this.weightDecay}`);
  }

  /** Sets (or with null, clears) the FedProx proximal term used by subsequent steps. */
  setProximal(term: ProximalTerm | null): void {
    if (term !== null && !(term.mu >= 0)) throw new FlArgumentError(`mu must be >= 0, got ${term.mu}`);
    this.proximal = term !== null && term.mu > 0 ? term : null;
  }

  /** Forgets the momentum buffer (e.g. at the start of a client's local training). */
  reset(): void {
    this.buffer = null;
  }

  getState(): SgdState {
    return { momentumBuffer: this.buffer === null ? null : this.buffer.slice() };
  }

  setState(state: SgdState): void {
    this.buffer = state.momentumBuffer === null ? null : state.momentumBuffer.slice();
  }

  /**
   * The learning rate when a step is nothing but `params[i] -= lr * grad[i]` (no momentum, weight decay or
   * proximal term), which a model may then run inside itself (`Model.startSteps`); otherwise null.
   */
  plainRate(): number | null {
    return this.momentum === 0 && this.weightDecay === 0 && this.proximal === null ? this.lr : null;
  }

  /** Updates `params` in place from `grad` (same length). */
  step(params: FloatArray, grad: FloatArray): void {
    const n = params.length;
    if (grad.length < n) throw new FlArgumentError(`grad has ${grad.length} values for ${n} parameters`);
    const lr = this.lr;
    const wd = this.weightDecay;
    const prox = this.proximal;
    if (prox !== null && prox.anchor.length < n) throw new FlArgumentError('proximal anchor is shorter than params');
    if (this.momentum === 0) {
      if (wd === 0 && prox === null) {
        for (let i = 0; i < n; i++) params[i] -= lr * grad[i];
        return;
      }
      const mu = prox === null ? 0 : prox.mu;
      const anchor = prox === null ? params : prox.anchor;
      for (let i = 0; i < n; i++) {
        const w = params[i];
        params[i] = w - lr * (grad[i] + wd * w + mu * (w - anchor[i]));
      }
      return;
    }
    const m = this.momentum;
    const mu = prox === null ? 0 : prox.mu;
    const anchor = prox === null ? params : prox.anchor;
    if (this.buffer === null || this.buffer.length !== n) {
      const buf = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const w = params[i];
        buf[i] = grad[i] + wd * w + mu * (w - anchor[i]);
        params[i] = w - lr * buf[i];
      }
      this.buffer = buf;
      return;
    }
    const buf = this.buffer;
    for (let i = 0; i < n; i++) {
      const w = params[i];
      buf[i] = m * buf[i] + (grad[i] + wd * w + mu * (w - anchor[i]));
      params[i] = w - lr * buf[i];
    }
  }
}
