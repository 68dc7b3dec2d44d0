'use strict';
// The benchmark's task bodies, shared by every pool's worker file so all pools run identical code.

/** The tiny task: all cost is the pool's. */
function add(a, b) {
  return a + b;
}

/** A CPU task of about 0.2 ms: n! as a BigInt. */
function factorial(n) {
  const last = BigInt(n);
  let r = 1n;
  for (let i = 2n; i <= last; i++) r *= i;
  return r;
}

/** Sums a Float64Array with a plain loop (the argument's size is what is measured). */
function sum(array) {
  let s = 0;
  for (let i = 0; i < array.length; i++) s += array[i];
  return s;
}

/** A long CPU task: spins for `ms` milliseconds of wall time (the mixed-load case's 50 ms tasks). */
function spin(ms) {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

module.exports = { add, factorial, sum, spin };
