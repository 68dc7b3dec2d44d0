'use strict';
// poolifier cluster worker. CommonJS on purpose: an .mjs cluster worker was seen never to answer.
const { ClusterWorker } = require('poolifier');
const kernels = require('./kernels.cjs');

module.exports = new ClusterWorker({
  add: (pair) => kernels.add(pair[0], pair[1]),
  factorial: (n) => kernels.factorial(n),
  sum: (array) => kernels.sum(array),
  spin: (ms) => kernels.spin(ms),
});
