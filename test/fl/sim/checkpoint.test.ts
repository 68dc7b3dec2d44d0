import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  CheckpointError,
  checkpointPath,
  loadCheckpoint,
  runSimulation,
  saveCheckpoint,
  type Checkpoint,
} from '../../../src/fl/sim/index.js';
import { FL_CLI, SMALL } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'weft-fl-ckpt-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `run-${dirs++}`);

describe('fl simulator: checkpoints', () => {
  it('save and load round-trip; no temp file is left; damage is detected', () => {
    const dir = freshDir();
    const checkpoint: Checkpoint = {
      round: 3,
      settings: { model: 'mlp', seed: 1 },
      params: Float32Array.of(1.5, -2, 3.25),
      server: { rng: [1, 2, 3, 4], tensors: { m: Float32Array.of(0.5), v: Float32Array.of(0.25) }, scalars: { t: 3 } },
      history: [],
      failures: [],
    };
    const path = saveCheckpoint(dir, checkpoint);
    assert.deepEqual(readdirSync(dir), ['checkpoint.wfl']);
    const loaded = loadCheckpoint(dir)!;
    assert.equal(loaded.round, 3);
    assert.deepEqual([...loaded.params], [1.5, -2, 3.25]);
    assert.deepEqual(loaded.server.rng, [1, 2, 3, 4]);
    assert.deepEqual([...loaded.server.tensors.v], [0.25]);
    assert.equal(loadCheckpoint(freshDir()), undefined, 'no checkpoint yet');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(path, bytes);
    assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof CheckpointError && /checksum/.test(e.message));
    writeFileSync(path, 'not a checkpoint');
    assert.throws(() => loadCheckpoint(dir), /bad magic/);
  });

  it('stopping after round 2 and resuming to round 4 equals 4 rounds in one go (FedAdam state, server rng)', async () => {
    const config = { ...SMALL, algorithm: 'fedadam' as const, rounds: 4 };
    const whole = await runSimulation({ config });
    const dir = freshDir();
    const first = await runSimulation({ config: { ...config, rounds: 2 }, checkpoint: { dir, every: 1 } });
    assert.equal(loadCheckpoint(dir)!.round, 2);
    // Resume on another backend: the checkpoint does not depend on where clients ran.
    const resumed = await runSimulation({
      config: { ...config, backend: 'thread', workers: 2 },
      checkpoint: { dir, every: 1, resume: true },
    });
    assert.notEqual(first.paramsHash, whole.paramsHash);
    assert.equal(resumed.resumedFrom, 2);
    assert.equal(resumed.paramsHash, whole.paramsHash);
    assert.deepEqual(resumed.rounds.map((r) => r.accuracy), whole.rounds.map((r) => r.accuracy));
  });

  it('refuses to resume a checkpoint made with different settings, naming them', async () => {
    const dir = freshDir();
    await runSimulation({ config: { ...SMALL, rounds: 1 }, checkpoint: { dir, every: 1 } });
    await assert.rejects(
      runSimulation({ config: { ...SMALL, lr: 0.1 }, checkpoint: { dir, every: 1, resume: true } }),
      (e: unknown) => e instanceof CheckpointError && /different settings \(lr\)/.test(e.message),
    );
  });

  it('a real `weft fl` killed with SIGKILL after its first checkpoint, then resumed, ends bit-identical', async () => {
    const flags = ['--clients', '8', '--fraction', '0.5', '--rounds', '8', '--train-limit', '1600', '--test-limit', '500', '--seed', '7', '--quiet'];
    const reference = await runCli([...flags, '--json', join(root, 'whole.json')]);
    assert.equal(reference.code, 0, reference.stderr);
    const dir = freshDir();
    const killedJson = join(root, 'killed.json');
    const killed = await runCli([...flags, '--backend', 'thread', '--workers', '2', '--checkpoint', dir, '--json', killedJson], () =>
      existsSync(checkpointPath(dir)),
    );
    assert.equal(killed.signal, 'SIGKILL', `the run ended before it could be killed (code ${killed.code})`);
    assert.ok(!existsSync(killedJson), 'the killed run wrote no report');
    const savedRound = loadCheckpoint(dir)!.round;
    assert.ok(savedRound >= 1 && savedRound < 8, `checkpoint after round ${savedRound}`);
    const resumedJson = join(root, 'resumed.json');
    const resumed = await runCli([...flags, '--checkpoint', dir, '--resume', '--json', resumedJson]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const whole = JSON.parse(readFileSync(join(root, 'whole.json'), 'utf8'));
    const after = JSON.parse(readFileSync(resumedJson, 'utf8'));
    assert.equal(after.resumedFrom, savedRound);
    assert.equal(after.rounds.length, 8);
    assert.equal(after.paramsHash, whole.paramsHash);
  });
});

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the `weft fl` test program; with `killWhen`, polls it and SIGKILLs the process as soon as it holds. */
function runCli(args: string[], killWhen?: () => boolean): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(FL_CLI), 'fl', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = killWhen
      ? setInterval(() => {
          if (killWhen()) {
            child.kill('SIGKILL');
            clearInterval(timer);
          }
        }, 5)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
