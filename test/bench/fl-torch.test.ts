/**
 * The FL cases' PyTorch peer: the schedule weft writes (replay plan) is the simulator's own, PyTorch replaying it
 * ends at weft's model to float32 rounding, and the study runs the peer on each BLAS it finds, reports it round by
 * round, and names why it skipped it where torch or a BLAS is missing. The replay parts need Debian's
 * python3-torch (bash scripts/setup-system.sh torch); the plan's own checks run everywhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fl, flCnn } from '../../src/bench/cases/fl.js';
import { peerUnavailable } from '../../src/bench/python/availability.js';
import { blasOfMapped } from '../../src/bench/python/blas.js';
import { detectPython, type PythonInfo } from '../../src/bench/python/detect.js';
import { PEERS_DIR } from '../../src/bench/python/peer.js';
import { toHtml } from '../../src/bench/report/html.js';
import { terminalReport } from '../../src/bench/report/terminal.js';
import { runStudy } from '../../src/bench/runner.js';
import { clientsPerRound, resolveConfig } from '../../src/fl/sim/config.js';
import { partitionClients } from '../../src/fl/sim/data.js';
import { buildReplayPlan, writeReplayPlan } from '../../src/fl/sim/replay-plan.js';
import { runSimulation } from '../../src/fl/sim/simulation.js';
import { readIdxFile } from '../../src/fl/data/idx.js';
import { mnistFiles } from '../../src/fl/data/mnist.js';
import { FlArgumentError } from '../../src/fl/errors.js';

const python = detectPython();
const torchSkip = python.torch ? false : `torch is not installed for ${python.path}`;
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-fl-torch-test-'));
  dirs.push(dir);
  return dir;
}

// Uneven clients (43 examples over 4), two epochs with a partial last batch, two rounds of two clients.
const SMALL = { rounds: 2, clients: 4, fraction: 0.5, trainLimit: 43, testLimit: 100, seed: 3, epochs: 2 } as const;

describe('replay plan', () => {
  it('samples clientsPerRound clients a round and feeds each its own examples once per epoch', () => {
    const plan = buildReplayPlan({ ...SMALL, model: 'mlp' });
    const config = resolveConfig({ ...SMALL, model: 'mlp' });
    const labels = readIdxFile(mnistFiles('train').labels, { limit: SMALL.trainLimit }).data as Uint8Array;
    const partition = partitionClients(config, labels);
    assert.equal(plan.rounds.length, SMALL.rounds);
    for (const clients of plan.rounds) {
      assert.equal(clients.length, clientsPerRound(config));
      assert.deepEqual(clients.map((c) => c.id), [...clients.map((c) => c.id)].sort((a, b) => a - b));
      for (const c of clients) {
        const own = [...partition[c.id]].sort((a, b) => a - b);
        for (let e = 0; e < SMALL.epochs; e++) {
          const epoch = [...c.order.subarray(e * own.length, (e + 1) * own.length)].sort((a, b) => a - b);
          assert.deepEqual(epoch, own, `client ${c.id} epoch ${e}`);
        }
      }
    }
    assert.equal(plan.init.length, plan.layout.reduce((n, b) => n + b.size, 0));
  });

  it('refuses server algorithms and faults it does not replay', () => {
    assert.throws(() => buildReplayPlan({ algorithm: 'fedadam' }), (e: Error) => e instanceof FlArgumentError && /FedAvg only, not 'fedadam'/.test(e.message));
    assert.throws(() => buildReplayPlan({ faults: { clients: [3] } }), (e: Error) => e instanceof FlArgumentError && /without faults/.test(e.message));
  });
});

describe('PyTorch replays weft', { skip: torchSkip }, () => {
  for (const model of ['mlp', 'cnn'] as const) {
    it(`${model}: PyTorch ends at weft's model to float32 rounding`, async () => {
      const dir = tempDir();
      const planPath = writeReplayPlan(buildReplayPlan({ ...SMALL, model }), dir);
      const sim = await runSimulation({ config: { ...SMALL, model } });
      const weftPath = join(dir, 'weft.f32');
      writeFileSync(weftPath, new Uint8Array(sim.params.buffer, sim.params.byteOffset, sim.params.byteLength));
      const out = JSON.parse(
        execFileSync(python.path, [join(PEERS_DIR, 'fl_torch.py'), planPath, weftPath], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } }),
      ) as { maxDiff: number; weftMoved: number; torchMoved: number; accuracy: number };
      // Training moved the weights by ~1e-2; the two frameworks agree to ~1e-7 (summation order only).
      assert.ok(out.weftMoved > 1e-3 && out.torchMoved > 1e-3, JSON.stringify(out));
      assert.ok(out.maxDiff < 1e-5, `PyTorch is ${out.maxDiff} from weft's model (${JSON.stringify(out)})`);
      assert.ok(Math.abs(out.accuracy - sim.accuracy!) <= 0.02, `accuracy ${out.accuracy} vs weft ${sim.accuracy}`);
    });
  }

  it('the study runs it on every BLAS found, side by side with weft, round by round', async () => {
    const result = await runStudy({
      cases: [fl, flCnn],
      size: 'tiny',
      workers: [2],
      repeat: 1,
      warmup: 0,
      python,
      probe: false,
      variants: ['sequential', 'torch', 'torch-processes'],
    });
    const blas = Object.keys(python.blas ?? {});
    assert.ok(blas.length > 0, 'a libblas.so.3 folder was found');
    for (const c of result.cases) {
      const weft = c.series.find((s) => s.variant === 'sequential')!;
      assert.ok(weft.ok && weft.rounds?.length === 1 && weft.rounds[0].evalMedianMs > 0, `${c.name} sequential`);
      for (const mode of blas) {
        for (const variant of ['torch', 'torch-processes']) {
          const s = c.series.find((x) => x.variant === variant && x.mode === mode);
          assert.ok(s, `${c.name} ${variant} (${mode}) ran`);
          assert.equal(s.error, undefined, `${c.name} ${s.label}: ${s.error}`);
          assert.ok(s.ok, `${c.name} ${s.label}: ${s.check?.actual} vs ${s.check?.expected}`);
          assert.equal(s.note, `${mode} BLAS, torch ${python.torch}`);
          assert.equal(s.rounds?.length, 1);
          assert.ok(s.rounds[0].medianMs > 0 && s.rounds[0].evalMedianMs > 0 && s.rounds[0].accuracy >= 0);
        }
      }
    }
    const text = terminalReport(result);
    assert.match(text, /Per round: training \+ aggregation/);
    assert.match(text, /torch \(\w+\)\s+1\s+[\d.]+ m?s\s+[\d.]+%\s+[\d.]+ m?s\s+\w+ BLAS, torch/);
    assert.match(text, /PyTorch peers: torch \S+, one thread per process, BLAS/);
    const html = toHtml(result, []);
    assert.match(html, /<th>round 1<\/th><th>accuracy<\/th><th>test set<\/th><th>ran on<\/th>/);
    assert.match(html, /<td>\w+ BLAS, torch [^<]+<\/td>/);
    const pytorch = result.findings.find((f) => f.id === 'pytorch')!;
    assert.notEqual(pytorch.verdict, 'not measured', pytorch.evidence);
    assert.match(pytorch.evidence, /MLP rounds: weft \d+ ms vs PyTorch \(OpenBLAS\)|CNN rounds: weft \d+ ms vs PyTorch \(reference BLAS\)/);
  });
});

describe('when PyTorch or a BLAS is missing', () => {
  const base: PythonInfo = { available: true, path: '/usr/bin/python3', version: '3.11', numpy: '1.24' };
  it('names what is missing and how to install it', () => {
    assert.match(peerUnavailable({ variant: 'torch', mode: 'openblas' }, base)!, /torch is not installed.*setup-system\.sh torch/);
    const noOpenBlas = { ...base, torch: '1.13', blas: { reference: '/usr/lib/x/blas' } };
    assert.match(peerUnavailable({ variant: 'torch-processes', mode: 'openblas' }, noOpenBlas)!, /openblas BLAS skipped.*libopenblas0-pthread/);
    assert.equal(peerUnavailable({ variant: 'torch', mode: 'reference' }, noOpenBlas), undefined);
    const noReference = { ...base, torch: '1.13', blas: { openblas: '/usr/lib/x/openblas-pthread' } };
    assert.match(peerUnavailable({ variant: 'torch', mode: 'reference' }, noReference)!, /reference BLAS skipped.*libblas3 and liblapack3/);
    const broken = { ...base, torchError: 'OSError: libdnnl.so.2: cannot open shared object file' };
    assert.match(peerUnavailable({ variant: 'torch', mode: 'openblas' }, broken)!, /import torch failed.*libdnnl/);
    assert.equal(peerUnavailable({ variant: 'thread' }, { available: false, path: 'x' }), undefined);
    assert.throws(() => peerUnavailable({ variant: 'torch' }, noOpenBlas), /mode undefined; it must name a BLAS/);
  });

  it('names the BLAS build from the libraries a process mapped, and a mix as a mix', () => {
    const lib = '/usr/lib/x86_64-linux-gnu';
    assert.equal(blasOfMapped([`${lib}/blas/libblas.so.3.11.0`, `${lib}/lapack/liblapack.so.3.11.0`]), 'reference');
    assert.equal(blasOfMapped([`${lib}/openblas-pthread/libblas.so.3`, `${lib}/openblas-pthread/libopenblasp-r0.3.21.so`]), 'openblas');
    // OpenBLAS's LAPACK beside the reference BLAS loads OpenBLAS too: no series may call that reference.
    assert.match(blasOfMapped([`${lib}/blas/libblas.so.3.11.0`, `${lib}/openblas-pthread/liblapack.so.3`]), /^a mix/);
    assert.equal(blasOfMapped([]), 'no BLAS mapped');
  });

  it('the study skips those series with the reason and runs the rest', async () => {
    const result = await runStudy({
      cases: [fl],
      size: 'tiny',
      workers: [2],
      repeat: 1,
      warmup: 0,
      python: { ...python, available: true, torch: undefined, blas: undefined },
      probe: false,
      variants: ['sequential', 'torch', 'torch-processes'],
    });
    assert.deepEqual(result.cases[0].series.map((s) => s.label), ['sequential']);
    assert.ok(result.skipped.some((s) => /PyTorch peers skipped: torch is not installed/.test(s)), result.skipped.join('; '));
  });
});
