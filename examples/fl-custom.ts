/**
 * Writing your own protocols: a server handler that aggregates by coordinate-wise median (robust to a few bad
 * clients, unlike the mean) and a client trainer that clips updates (examples/fl-clipped-trainer.ts). The
 * simulator runs them like the built-ins, on any backend, with the same guarantees.
 *
 *   npx tsx examples/fl-custom.ts [thread|process|sequential]
 */
import {
  runSimulation,
  sampleWithoutReplacement,
  type DownlinkPackage,
  type ServerEnvironment,
  type ServerHandler,
  type ServerState,
  type SimBackend,
  type UplinkPackage,
} from '../src/fl/index.js';

class FedMedianServer implements ServerHandler {
  private loaded: Float32Array[] = [];

  constructor(private readonly env: ServerEnvironment) {}

  sampleClients(): number[] {
    return sampleWithoutReplacement(this.env.config.clients, 5, this.env.rng);
  }

  downlinkPackage(round: number): DownlinkPackage {
    return { round, params: this.env.params };
  }

  load(uplink: UplinkPackage): void {
    // The uplink is a view of a result slot that the next round reuses: keep a copy.
    this.loaded.push(uplink.params.slice());
  }

  globalUpdate(): void {
    const k = this.loaded.length;
    if (k === 0) return;
    const column = new Float64Array(k);
    for (let i = 0; i < this.env.params.length; i++) {
      for (let c = 0; c < k; c++) column[c] = this.loaded[c][i];
      column.sort();
      this.env.params[i] = k % 2 === 1 ? column[(k - 1) / 2] : (column[k / 2 - 1] + column[k / 2]) / 2;
    }
    this.loaded = [];
  }

  isStopped(round: number): boolean {
    return round >= this.env.config.rounds;
  }

  getState(): ServerState {
    return { rng: this.env.rng.getState(), tensors: {}, scalars: {} };
  }

  setState(state: ServerState): void {
    this.env.rng.setState(state.rng);
  }
}

const backend = (process.argv[2] ?? 'thread') as SimBackend;
const result = await runSimulation({
  config: { clients: 20, rounds: 4, trainLimit: 6000, testLimit: 2000, backend, workers: backend === 'sequential' ? 1 : 2, seed: 3 },
  server: (env) => new FedMedianServer(env),
  trainerModule: new URL('./fl-clipped-trainer.ts', import.meta.url),
});
console.log(`FedMedian + clipped updates on ${backend}: accuracy ${result.rounds.map((r) => (100 * r.accuracy!).toFixed(1) + '%').join(' ')}`);
console.log(`paramsHash ${result.paramsHash}`);
