// poolifier thread worker: named task functions, each called with the one `data` value given to execute().
import { ThreadWorker } from 'poolifier';
import kernels from './kernels.cjs';

export default new ThreadWorker({
  add: (pair) => kernels.add(pair[0], pair[1]),
  factorial: (n) => kernels.factorial(n),
  sum: (array) => kernels.sum(array),
  spin: (ms) => kernels.spin(ms),
});
