/** Whether a series' peer can run on this machine, and why not when it cannot. */
import type { SeriesSpec } from '../types.js';
import { VARIANTS } from '../variants.js';
import { BLAS_NAMES, blasPackages, type BlasName } from './blas.js';
import type { PythonInfo } from './detect.js';

/** Undefined when the series can run; otherwise the line the study's "skipped" list shows. */
export function peerUnavailable(spec: SeriesSpec, python: PythonInfo): string | undefined {
  const info = VARIANTS[spec.variant];
  if (info.runtime !== 'python') return undefined;
  if (!python.available) return `Python peers skipped: ${python.reason ?? 'no usable Python'}`;
  if (!info.needsTorch) return undefined;
  // A series without a BLAS is a mistake in the case's definition, not a machine without it.
  const blas = spec.mode as BlasName;
  if (!BLAS_NAMES.includes(blas)) throw new Error(`PyTorch series ${spec.variant} has mode ${String(spec.mode)}; it must name a BLAS (${BLAS_NAMES.join(', ')})`);
  if (python.torchError) return `PyTorch peers skipped: import torch failed for ${python.path}: ${python.torchError}`;
  if (!python.torch) return `PyTorch peers skipped: torch is not installed for ${python.path} (bash scripts/setup-system.sh torch installs python3-torch)`;
  if (!python.blas?.[blas]) return `PyTorch with ${blas} BLAS skipped: its libblas.so.3 and liblapack.so.3 were not found (bash scripts/setup-system.sh torch installs ${blasPackages(blas)})`;
  return undefined;
}
