'use strict';
// workerpool worker (thread and process workers): methods registered with worker(), called with spread params.
const workerpool = require('workerpool');
const kernels = require('./kernels.cjs');

workerpool.worker({
  add: (a, b) => kernels.add(a, b),
  factorial: (n) => kernels.factorial(n),
  sum: (array) => kernels.sum(array),
  spin: (ms) => kernels.spin(ms),
});
