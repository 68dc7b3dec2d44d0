// weft task module: each export is a task, called with the arguments given to pool.call.<name>(...).
import kernels from './kernels.cjs';

export const add = (a, b) => kernels.add(a, b);
export const factorial = (n) => kernels.factorial(n);
export const sum = (array) => kernels.sum(array);
export const spin = (ms) => kernels.spin(ms);
