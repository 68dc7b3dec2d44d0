// piscina and tinypool task module: named exports selected with `{ name }`, each called with one value.
import kernels from './kernels.cjs';

export const add = (pair) => kernels.add(pair[0], pair[1]);
export const factorial = (n) => kernels.factorial(n);
export const sum = (array) => kernels.sum(array);
export const spin = (ms) => kernels.spin(ms);
export default add;
