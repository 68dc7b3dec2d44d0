/**
 * The FL cases' PyTorch peer (bench/python/fl_torch.py): weft writes the simulation's schedule, the peer replays
 * it from the same initial model on one BLAS build, one thread per process, sequentially or on processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimConfigInput } from '../../fl/sim/config.js';
import { buildReplayPlan, writeReplayPlan } from '../../fl/sim/replay-plan.js';
import type { PrepareContext, Prepared, RoundFigure, SeriesSpec } from '../types.js';
import { BLAS_NAMES, blasOfMapped, type BlasName } from './blas.js';
import { preparePeer } from './peer.js';

/** What the peer's run ends with, its BLAS named from the libraries it mapped. */
export interface TorchRun {
  accuracy: number;
  rounds: RoundFigure[];
  blas: string;
  torch: string;
}

/** Both PyTorch variants on every BLAS build, as a case's series. */
export const TORCH_SERIES: SeriesSpec[] = BLAS_NAMES.flatMap((blas) => [
  { variant: 'torch', mode: blas },
  { variant: 'torch-processes', mode: blas },
]);

/** Writes the schedule of `config` and starts the peer on the series' BLAS (`context.mode`). */
export async function prepareTorchPeer<P>(config: SimConfigInput, context: PrepareContext<P>): Promise<Prepared<TorchRun>> {
  const blas = context.mode as BlasName;
  const libraryPath = context.pythonInfo?.blas?.[blas];
  if (!libraryPath) throw new Error(`no ${blas} BLAS was found for the PyTorch peer`);
  const dir = mkdtempSync(join(tmpdir(), 'weft-fl-plan-'));
  try {
    const plan = writeReplayPlan(buildReplayPlan(config), dir);
    // One thread per process, as each weft worker runs; the build's folders first on the loader's path.
    const env = {
      LD_LIBRARY_PATH: [libraryPath, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      OMP_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
    };
    const peer = await preparePeer<Omit<TorchRun, 'blas'> & { blasLibraries: string[] }>('fl_torch', { ...context, params: { plan } }, env);
    return {
      async run() {
        const { value, ms } = await peer.run();
        // A series that ran on another build, or a mix, is not that build's figure.
        const mapped = blasOfMapped(value.blasLibraries);
        if (mapped !== blas) {
          throw new Error(`the PyTorch peer was to run on ${blas} BLAS but mapped ${mapped} (does an RPATH or LD_PRELOAD override LD_LIBRARY_PATH?)`);
        }
        return { value: { accuracy: value.accuracy, rounds: value.rounds, blas: mapped, torch: value.torch }, ms };
      },
      async dispose() {
        try {
          await peer.dispose();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
