/**
 * weft against the PyTorch anchor of issue 6 (MLP 784-200-200-10, IID, 100 clients of 600 images, 10 per round,
 * 1 local epoch, batch 10, lr 0.05): the accuracy curve over 20 rounds, then the training time per round for the
 * sequential, thread (W=2) and process (W=2) backends, measured in interleaved repeats so that a busy machine
 * slows them all alike. Reported: medians of rounds 2..R of each repeat (round 1 includes JIT warm-up).
 *
 *   npx tsx examples/fl-anchor.ts               # curve + timing (about 2 minutes on 2 cores)
 *   npx tsx examples/fl-anchor.ts timing 3 4    # timing only: 3 repeats of 4 rounds
 */
import { runFlBenchmark, runSimulation, type SimBackend } from '../src/fl/index.js';

const PYTORCH_CURVE: Record<number, number> = { 1: 61.0, 5: 86.3, 10: 90.2, 20: 92.3 };
const mode = process.argv[2] ?? 'all';
const repeats = Number(process.argv[3] ?? 3);
const rounds = Number(process.argv[4] ?? 4);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

if (mode !== 'timing') {
  const result = await runSimulation({ config: { rounds: 20, backend: 'thread', workers: 2 } });
  console.log('round  weft    PyTorch');
  for (const r of result.rounds) {
    const torch = PYTORCH_CURVE[r.round];
    console.log(`${String(r.round).padStart(5)}  ${(100 * r.accuracy!).toFixed(1).padStart(5)}%  ${torch ? `${torch.toFixed(1)}%` : ''}`);
  }
  console.log(`evaluating ${10000} test images: ${median(result.rounds.map((r) => r.evalMs)).toFixed(0)} ms (2 workers)`);
  console.log(`paramsHash ${result.paramsHash}\n`);
}

const runs: [SimBackend, number][] = [
  ['sequential', 1],
  ['thread', 2],
  ['process', 2],
];
const seconds = new Map<string, number[]>();
const dispatch = new Map<string, number[]>();
const startup = new Map<string, number[]>();
const hashes = new Set<string>();
for (let rep = 0; rep < repeats; rep++) {
  for (const [backend, workers] of runs) {
    const key = `${backend} W=${workers}`;
    const b = await runFlBenchmark({ backend, workers, rounds, testLimit: 1000 });
    hashes.add(b.paramsHash);
    seconds.set(key, [...(seconds.get(key) ?? []), ...b.secondsPerRound.slice(1)]);
    dispatch.set(key, [...(dispatch.get(key) ?? []), ...b.breakdown.perRound.slice(1).map((r) => r.dispatchMs)]);
    startup.set(key, [...(startup.get(key) ?? []), b.breakdown.startupMs]);
  }
}
console.log(`training time per round (median of ${repeats} x ${rounds - 1} rounds; PyTorch 1.13: 1.96 s sequential, 1.16 s 2 processes, default BLAS)`);
for (const [key, xs] of seconds) {
  console.log(
    `${key.padEnd(14)} ${median(xs).toFixed(3)} s/round   dispatch+imbalance ${median(dispatch.get(key)!).toFixed(0)} ms   start-up ${median(startup.get(key)!).toFixed(0)} ms`,
  );
}
console.log(hashes.size === 1 ? 'same final parameters on every backend' : `DIFFERENT final parameters: ${[...hashes].join(', ')}`);
