/** Chunked evaluation shared by the models: loss and accuracy over many examples with bounded scratch. */
import { countCorrect, softmaxCrossEntropy } from './softmax-xent.js';
import type { EvalResult, FloatArray } from './types.js';

/** Examples per forward pass during evaluation; fixed so the loss is always summed in the same order. */
export const EVAL_CHUNK = 250;

/**
 * Runs `predict` over `n` examples in chunks of {@link EVAL_CHUNK}, summing the cross-entropy and counting
 * correct argmaxes. `logits` must hold `EVAL_CHUNK * classes` values; `labelChunk` `EVAL_CHUNK` entries.
 */
export function evaluateInChunks(
  predict: (x: FloatArray, n: number, out: FloatArray) => void,
  inputSize: number,
  classes: number,
  x: FloatArray,
  labels: ArrayLike<number>,
  n: number,
  logits: FloatArray,
  labelChunk: Int32Array,
): EvalResult {
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, n - start);
    for (let i = 0; i < m; i++) labelChunk[i] = labels[start + i];
    predict(x.subarray(start * inputSize, (start + m) * inputSize), m, logits);
    lossSum += softmaxCrossEntropy(logits, labelChunk, m, classes, null);
    correct += countCorrect(logits, labelChunk, m, classes);
  }
  return { lossSum, correct, count: n };
}
