// tasks.ts: every exported function is a task
export function countPrimes(start: number, end: number): number {
  let count = 0;
  for (let n = Math.max(start, 2); n < end; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) count++;
  }
  return count;
}
