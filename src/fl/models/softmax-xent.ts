/** Softmax cross-entropy on logits, the loss of both models. */
import type { FloatArray } from './types.js';

/**
 * Sum over the `n` rows of `logits` (`n * classes`) of -log softmax(row)[label]. When `dlogits` is given, writes
 * the gradient of the *mean* loss (softmax - onehot) / n into it, as PyTorch's CrossEntropyLoss does by default.
 */
export function softmaxCrossEntropy(
  logits: FloatArray,
  labels: ArrayLike<number>,
  n: number,
  classes: number,
  dlogits: FloatArray | null,
): number {
  let lossSum = 0;
  const invN = 1 / n;
  for (let b = 0; b < n; b++) {
    const row = b * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) if (logits[row + k] > max) max = logits[row + k];
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[row + k] - max);
    const label = labels[b];
    const logSum = Math.log(sum);
    lossSum += logSum - (logits[row + label] - max);
    if (dlogits !== null) {
      const scale = invN / sum;
      for (let k = 0; k < classes; k++) {
        const p = Math.exp(logits[row + k] - max) * scale;
        dlogits[row + k] = k === label ? p - invN : p;
      }
    }
  }
  return lossSum;
}

/** Number of rows whose largest logit (first on ties) is at the label's index. */
export function countCorrect(logits: FloatArray, labels: ArrayLike<number>, n: number, classes: number): number {
  let correct = 0;
  for (let b = 0; b < n; b++) {
    const row = b * classes;
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[row + k] > logits[row + best]) best = k;
    if (best === labels[b]) correct++;
  }
  return correct;
}
