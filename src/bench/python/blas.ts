/**
 * The BLAS builds the PyTorch peer runs on, as Debian installs them. Debian's torch links `libblas.so.3` and
 * `liblapack.so.3`, which the loader resolves through LD_LIBRARY_PATH before the system's alternatives; both must
 * come from the same build, since OpenBLAS's LAPACK loads OpenBLAS's BLAS beside whichever BLAS came first.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const BLAS_NAMES = ['reference', 'openblas'] as const;
export type BlasName = (typeof BLAS_NAMES)[number];

interface BlasBuild {
  /** Folders under the multiarch library folder, in loader order, holding libblas.so.3 and liblapack.so.3. */
  readonly folders: readonly string[];
  /** The Debian packages that install them. */
  readonly packages: readonly string[];
}

const BUILDS: Record<BlasName, BlasBuild> = {
  reference: { folders: ['blas', 'lapack'], packages: ['libblas3', 'liblapack3'] },
  openblas: { folders: ['openblas-pthread'], packages: ['libopenblas0-pthread'] },
};

/** The LD_LIBRARY_PATH that selects each installed build under `libdir` (e.g. /usr/lib/x86_64-linux-gnu). */
export function findBlas(libdir: string): Partial<Record<BlasName, string>> {
  const found: Partial<Record<BlasName, string>> = {};
  for (const name of BLAS_NAMES) {
    const dirs = BUILDS[name].folders.map((folder) => join(libdir, folder));
    const has = (lib: string) => dirs.some((dir) => existsSync(join(dir, lib)));
    if (has('libblas.so.3') && has('liblapack.so.3')) found[name] = dirs.join(':');
  }
  return found;
}

/** The packages to install for a build, as a skip reason names them. */
export function blasPackages(name: BlasName): string {
  return BUILDS[name].packages.join(' and ');
}

/**
 * Which build a process ran on, from the BLAS and LAPACK libraries it mapped (paths from /proc/self/maps): the
 * build whose folders hold all of them, else a description of the mix, which no series should report as its own.
 */
export function blasOfMapped(paths: readonly string[]): string {
  if (paths.length === 0) return 'no BLAS mapped';
  for (const name of BLAS_NAMES) {
    if (paths.every((path) => BUILDS[name].folders.includes(basename(dirname(path))))) return name;
  }
  return `a mix (${paths.join(', ')})`;
}
