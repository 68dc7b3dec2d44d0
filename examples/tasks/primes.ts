/** A task module: every exported function is a task a pool can run. */

/** Whether n is prime, by trial division with odd divisors up to sqrt(n). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** Counts the primes in [start, end). */
export function countPrimes(start: number, end: number): number {
  let count = 0;
  for (let n = start; n < end; n++) if (isPrime(n)) count++;
  return count;
}

/** Counts the primes below `end`: one argument, as `map` and `asCompleted` pass. */
export function primesBelow(end: number): number {
  return countPrimes(0, end);
}

/** Sums a slice of an array (shared or copied, the task does not care). */
export function sumSlice(array: Float64Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += array[i];
  return sum;
}
