/**
 * Finds the CPython the peers run on and what it is: version, numpy, and whether the GIL is on.
 * The peers need numpy (the array-sum case builds numpy arrays, as the talk does); the FL cases' PyTorch peer
 * needs torch, and runs once per BLAS it finds (Debian's reference BLAS and OpenBLAS, picked with LD_LIBRARY_PATH).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findBlas, type BlasName } from './blas.js';

/** Debian's interpreter; the one `apt-get install python3-numpy` equips. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

/** What was found. */
export interface PythonInfo {
  available: boolean;
  path: string;
  /** Why the peers cannot run, when they cannot. */
  reason?: string;
  version?: string;
  numpy?: string;
  /** False only on a free-threaded build running without the GIL. */
  gil?: boolean;
  /** True for a free-threaded (no-GIL capable) build. */
  freeThreadedBuild?: boolean;
  /** PyTorch's version, when `import torch` works. */
  torch?: string;
  /** Why `import torch` failed, when torch is installed but broken. */
  torchError?: string;
  /** The LD_LIBRARY_PATH that points the PyTorch peer at each installed BLAS build. */
  blas?: Partial<Record<BlasName, string>>;
}

const PROBE = `
import json, sys, sysconfig
info = {"version": sys.version.split()[0],
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil": sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True}
try:
    import numpy
    info["numpy"] = numpy.__version__
except ImportError:
    info["numpy"] = None
try:
    import torch
    info["torch"] = torch.__version__
except ImportError:
    info["torch"] = None
except Exception as error:  # installed but broken (a missing shared library raises OSError): say so, keep numpy
    info["torch"] = None
    info["torch_error"] = f"{type(error).__name__}: {error}"
info["libdir"] = "/usr/lib/" + (sysconfig.get_config_var("MULTIARCH") or "")
print(json.dumps(info))
`;

/** Probes `path` (default {@link DEFAULT_PYTHON}); never throws. */
export function detectPython(path: string = DEFAULT_PYTHON): PythonInfo {
  if (!existsSync(path)) return { available: false, path, reason: `${path} does not exist` };
  // importing torch loads ~1 GB of libraries: slow from a cold disk on a busy machine, hence the long timeout
  const probe = spawnSync(path, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    return { available: false, path, reason: `${path} failed to start: ${(probe.stderr || probe.error?.message || '').trim()}` };
  }
  const found = JSON.parse(probe.stdout) as { version: string; numpy: string | null; torch: string | null; torch_error?: string; libdir: string; gil: boolean; free_threaded_build: boolean };
  const info: PythonInfo = {
    available: found.numpy !== null,
    path,
    version: found.version,
    gil: found.gil,
    freeThreadedBuild: found.free_threaded_build,
  };
  if (found.numpy === null) info.reason = `numpy is not installed for ${path} (scripts/setup.sh installs python3-numpy)`;
  else info.numpy = found.numpy;
  if (found.torch_error) info.torchError = found.torch_error;
  if (found.torch !== null) {
    info.torch = found.torch;
    info.blas = findBlas(found.libdir);
  }
  return info;
}
