// The cluster benchmark's task module: the executor benchmark's kernels, plus the study's primes count.
import kernels from '../executor/workers/kernels.cjs';

export const add = (a, b) => kernels.add(a, b);
export const factorial = (n) => kernels.factorial(n);

/** Whether n is prime, by trial division with odd divisors up to sqrt(n) (the talk's method, as in src/bench). */
function isPrime(n) {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

export function countPrimes(lo, hi) {
  let count = 0;
  for (let n = lo; n < hi; n++) if (isPrime(n)) count++;
  return count;
}
