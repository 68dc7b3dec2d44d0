// tasks.js (the consumer test's own): the CommonJS task module the README's main.js describes
// ("tasks.js sets exports.countPrimes = (start, end) => ..."), here by a sieve.
exports.countPrimes = (start, end) => {
  const composite = new Uint8Array(end);
  let count = 0;
  for (let n = 2; n < end; n++) {
    if (composite[n]) continue;
    if (n >= start) count++;
    for (let m = n * n; m < end; m += n) composite[m] = 1;
  }
  return count;
};
