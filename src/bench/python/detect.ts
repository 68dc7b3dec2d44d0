/**
 * Finds the CPython the peers run on and what it is: version, numpy, and whether the GIL is on.
 * The peers need numpy (the array-sum case builds numpy arrays, as the talk does); the FL cases' PyTorch peer
 * needs torch, and runs once per BLAS it finds (Debian's reference BLAS and OpenBLAS, picked with LD_LIBRARY_PATH).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
  /** Folders holding a `libblas.so.3` the PyTorch peer can be pointed at, by BLAS. */
  blas?: Partial<Record<BlasName, string>>;
}

/** The BLAS libraries the PyTorch peer runs with, when installed (Debian's alternatives for libblas.so.3). */
export const BLAS_NAMES = ['reference', 'openblas'] as const;
export type BlasName = (typeof BLAS_NAMES)[number];

/** Debian's folder of each BLAS under the multiarch library folder (e.g. /usr/lib/x86_64-linux-gnu). */
const BLAS_FOLDERS: Record<BlasName, string> = { reference: 'blas', openblas: 'openblas-pthread' };

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
info["libdir"] = "/usr/lib/" + (sysconfig.get_config_var("MULTIARCH") or "")
print(json.dumps(info))
`;

/** Probes `path` (default {@link DEFAULT_PYTHON}); never throws. */
export function detectPython(path: string = DEFAULT_PYTHON): PythonInfo {
  if (!existsSync(path)) return { available: false, path, reason: `${path} does not exist` };
  const probe = spawnSync(path, ['-c', PROBE], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0) {
    return { available: false, path, reason: `${path} failed to start: ${(probe.stderr || probe.error?.message || '').trim()}` };
  }
  const found = JSON.parse(probe.stdout) as { version: string; numpy: string | null; torch: string | null; libdir: string; gil: boolean; free_threaded_build: boolean };
  const info: PythonInfo = {
    available: found.numpy !== null,
    path,
    version: found.version,
    gil: found.gil,
    freeThreadedBuild: found.free_threaded_build,
  };
  if (found.numpy === null) info.reason = `numpy is not installed for ${path} (scripts/setup.sh installs python3-numpy)`;
  else info.numpy = found.numpy;
  if (found.torch !== null) {
    info.torch = found.torch;
    info.blas = {};
    for (const name of BLAS_NAMES) {
      const dir = join(found.libdir, BLAS_FOLDERS[name]);
      if (existsSync(join(dir, 'libblas.so.3'))) info.blas[name] = dir;
    }
  }
  return info;
}
