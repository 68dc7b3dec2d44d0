/**
 * Seedable pseudo-random numbers for the FL simulator.
 *
 * The simulator promises bit-identical results across backends and worker counts, so every random draw must come
 * from a generator whose whole state is a few integers we can copy, hash and checkpoint. `Math.random` is never
 * used. The generator is xoshiro128** (128 bits of state in four 32-bit words), implemented with `Math.imul` and
 * unsigned shifts so every step is exact integer arithmetic on any platform.
 */

import { FlArgumentError } from './errors.js';

/** The complete state of an {@link Rng}: four unsigned 32-bit words. JSON-serialisable for checkpoints. */
export type RngState = readonly [number, number, number, number];

const TWO_POW_MINUS_32 = 1 / 4294967296;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/**
 * One step of the splitmix32 mixer: a bijective avalanche on 32 bits. Used to expand seeds into generator state
 * and to hash (seed, clientId, round) tuples into independent streams.
 */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/**
 * Hashes a list of integers (each taken modulo 2^32, after splitting values above 2^32 into two words) into one
 * 32-bit value. Order matters: hash(a, b) differs from hash(b, a).
 */
export function hashInts(...values: readonly number[]): number {
  let h = 0x6a09e667;
  for (const v of values) {
    if (!Number.isInteger(v)) throw new FlArgumentError(`hashInts: ${v} is not an integer`);
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h = mix32(h ^ lo);
    h = mix32(h ^ hi);
  }
  return h;
}

/** xoshiro128** generator. Construct with {@link Rng.fromSeed} or {@link Rng.derive}. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
    // The all-zero state is the one fixed point of xoshiro; nudge it away.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator seeded from one integer; seeds that differ in any bit give unrelated sequences. */
  static fromSeed(seed: number): Rng {
    let h = hashInts(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      h = mix32(h + i);
      words.push(h);
    }
    return new Rng(words[0], words[1], words[2], words[3]);
  }

  /**
   * An independent stream derived from a seed and a path of integers, e.g. `Rng.derive(seed, clientId, round)`.
   * The same arguments always give the same stream; different paths give streams that share no structure.
   */
  static derive(seed: number, ...path: readonly number[]): Rng {
    return Rng.fromSeed(hashInts(seed, path.length, ...path));
  }

  /** Rebuilds a generator from a state saved with {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    return new Rng(state[0], state[1], state[2], state[3]);
  }

  /** The current state (a copy); restoring it with {@link Rng.setState} replays the same sequence. */
  getState(): RngState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Restores a state saved with {@link Rng.getState}. */
  setState(state: RngState): void {
    if (state.length !== 4) throw new FlArgumentError('Rng state must have 4 words');
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent copy with the same state. */
  clone(): Rng {
    return new Rng(this.s0, this.s1, this.s2, this.s3);
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** Uniform double in [0, 1) with 53 random bits (two draws). */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  /** Uniform integer in [0, n), without modulo bias. `n` must be an integer in [1, 2^32]. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) {
      throw new FlArgumentError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Reject the top partial bucket so every residue is equally likely.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextFloat();
  }

  /**
   * Standard normal deviate (Marsaglia's polar method). No spare value is cached, so the state stays four words.
   */
  normal(): number {
    for (;;) {
      const u = 2 * this.nextDouble() - 1;
      const v = 2 * this.nextDouble() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
    }
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    const a = array as unknown as { [i: number]: unknown };
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return array;
  }
}
