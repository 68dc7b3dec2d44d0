/** The primes case's independent check: a sieve of Eratosthenes, a different algorithm from the timed one. */

const cache = new Map<number, number>();

/** Number of primes below n. */
export function primesBelow(n: number): number {
  const known = cache.get(n);
  if (known !== undefined) return known;
  const composite = new Uint8Array(Math.max(n, 2));
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  cache.set(n, count);
  return count;
}
