/** Task module of the primes case: runs inline, in worker threads and in child processes alike. */

/** Whether n is prime, by trial division with odd divisors up to sqrt(n) (the talk's method). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** Counts the primes in [lo, hi). */
export function countPrimes(lo: number, hi: number): number {
  let count = 0;
  for (let n = lo; n < hi; n++) if (isPrime(n)) count++;
  return count;
}
