/**
 * Issue 16's kernel target, judged in the same run as PyTorch replaying the same schedule on one thread: weft's MLP
 * round at or below PyTorch's with OpenBLAS, its CNN round and test-set evaluation at or below PyTorch's with the
 * reference BLAS (Debian's default before OpenBLAS is installed). The distance to PyTorch with OpenBLAS on the CNN
 * is reported beside it, since the aim is 1.5x of it.
 */
import type { Finding, Verdict } from '../result.js';
import { spread } from '../stats.js';
import type { SeriesResult } from '../types.js';
import type { Lookup } from './findings.js';

const CLAIM = "weft's own kernels keep pace with PyTorch on one thread (case 3, the same schedule replayed in PyTorch).";
const TARGET = 'the MLP round at or below PyTorch with OpenBLAS; the CNN round and its test-set evaluation at or below PyTorch with the reference BLAS';

/** Median evaluation time over a series' rounds. */
function evalMs(s: SeriesResult): number | undefined {
  const times = (s.rounds ?? []).map((r) => r.evalMedianMs);
  return times.length > 0 ? spread(times).median : undefined;
}

/** A ratio line: `MLP rounds: weft 312 ms vs PyTorch (OpenBLAS) 250 ms (1.25x slower)`. */
function versus(what: string, weft: number, torch: number, name: string): string {
  const ratio = weft / torch;
  return `${what}: weft ${weft.toFixed(0)} ms vs ${name} ${torch.toFixed(0)} ms (${ratio <= 1 ? `${(1 / ratio).toFixed(2)}x faster` : `${ratio.toFixed(2)}x slower`})`;
}

/** The finding, or what it needs when neither FL case ran with PyTorch (the caller reports it "not measured"). */
export function pytorchFinding(find: Lookup): Finding | { notMeasured: string; claim: string; target: string } {
  const mlp = { weft: find('fl', 'sequential', undefined, 1), torch: find('fl', 'torch', 'openblas', 1) };
  const cnn = { weft: find('fl-cnn', 'sequential', undefined, 1), ref: find('fl-cnn', 'torch', 'reference', 1), open: find('fl-cnn', 'torch', 'openblas', 1) };
  const lines: string[] = [];
  const met: boolean[] = [];
  const missing: string[] = [];
  if (mlp.weft?.time && mlp.torch?.time) {
    met.push(mlp.weft.time.median <= mlp.torch.time.median);
    lines.push(versus('MLP rounds', mlp.weft.time.median, mlp.torch.time.median, 'PyTorch (OpenBLAS)'));
  } else missing.push('the MLP (fl: sequential and torch (openblas))');
  if (!(cnn.weft?.time && cnn.ref?.time)) missing.push('the CNN (fl-cnn: sequential and torch (reference))');
  else {
    met.push(cnn.weft.time.median <= cnn.ref.time.median);
    lines.push(versus('CNN rounds', cnn.weft.time.median, cnn.ref.time.median, 'PyTorch (reference BLAS)'));
    const we = evalMs(cnn.weft);
    const te = evalMs(cnn.ref);
    if (we !== undefined && te !== undefined) {
      met.push(we <= te);
      lines.push(versus('CNN test set', we, te, 'PyTorch (reference BLAS)'));
    } else missing.push("the CNN's test-set evaluation");
  }
  if (met.length === 0) return { notMeasured: 'needs fl or fl-cnn run sequentially and on PyTorch (torch (openblas), torch (reference))', claim: CLAIM, target: TARGET };
  if (cnn.weft?.time && cnn.open?.time) lines.push(`CNN rounds against PyTorch (OpenBLAS) ${cnn.open.time.median.toFixed(0)} ms: weft at ${(cnn.weft.time.median / cnn.open.time.median).toFixed(2)}x (aim: 1.5x)`);
  // A target met where it was measured says nothing of the parts that were not: that is not a confirmation.
  const allMet = met.every(Boolean);
  const verdict: Verdict = !allMet ? (met.some(Boolean) ? 'mixed' : 'not confirmed') : missing.length > 0 ? 'inconclusive' : 'confirmed';
  if (missing.length > 0) lines.push(`not measured: ${missing.join(', ')}`);
  return { id: 'pytorch', claim: CLAIM, target: TARGET, verdict, evidence: `${lines.join('; ')}.` };
}
