/** Whether a series' peer can run on this machine, and why not when it cannot. */
import type { SeriesSpec } from '../types.js';
import { VARIANTS } from '../variants.js';
import { BLAS_NAMES, type BlasName, type PythonInfo } from './detect.js';

/** Undefined when the series can run; otherwise the line the study's "skipped" list shows. */
export function peerUnavailable(spec: SeriesSpec, python: PythonInfo): string | undefined {
  const info = VARIANTS[spec.variant];
  if (info.runtime !== 'python') return undefined;
  if (!python.available) return `Python peers skipped: ${python.reason ?? 'no usable Python'}`;
  if (!info.needsTorch) return undefined;
  if (!python.torch) return `PyTorch peers skipped: torch is not installed for ${python.path} (bash scripts/setup-system.sh torch installs python3-torch)`;
  const blas = spec.mode as BlasName;
  if (!BLAS_NAMES.includes(blas)) return `PyTorch series ${spec.variant} (${spec.mode}) skipped: its mode must name a BLAS (${BLAS_NAMES.join(', ')})`;
  if (!python.blas?.[blas]) return `PyTorch with ${blas} BLAS skipped: no ${blas} libblas.so.3 found (bash scripts/setup-system.sh torch installs ${blas === 'openblas' ? 'libopenblas0-pthread' : 'libblas3'})`;
  return undefined;
}
