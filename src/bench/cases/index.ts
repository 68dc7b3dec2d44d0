/**
 * The registry of the study's cases, in the order they run and are reported. A case is one file
 * in this folder (plus its task module); add it here and the runner, CLI and reports pick it up.
 */
import type { AnyCase } from '../types.js';
import { arraySum } from './array-sum.js';
import { fl, flCnn } from './fl.js';
import { primes } from './primes.js';
import { race } from './race.js';

export const CASES: readonly AnyCase[] = [primes, arraySum, race, fl, flCnn];

/** The case called `name`, or undefined. */
export function findCase(name: string): AnyCase | undefined {
  return CASES.find((c) => c.name === name);
}
