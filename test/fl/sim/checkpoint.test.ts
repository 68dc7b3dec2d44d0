import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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
import { removeStaleTempFiles } from '../../../src/fl/sim/checkpoint.js';
import { WeftError } from '../../../src/shared/errors.js';
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
      (e: unknown) =>
        e instanceof CheckpointError && e.code === 'WEFT_CHECKPOINT_MISMATCH' && e.field === 'settings.lr' && /different settings \(lr\)/.test(e.message),
    );
  });

  it('is format 2: magic, version, header length, header, tensors, then a SHA-256 of every byte before it', () => {
    const { bytes } = sample();
    assert.equal(bytes.toString('latin1', 0, 8), 'WEFTFLCK');
    assert.equal(bytes.readUInt32LE(8), 2);
    const start = 16 + bytes.readUInt32LE(12);
    assert.equal(start % 4, 0);
    assert.equal(bytes.length, start + 4 * (3 + 2 + 64) + 32);
    const digest = createHash('sha256').update(bytes.subarray(0, bytes.length - 32)).digest();
    assert.deepEqual(bytes.subarray(bytes.length - 32), digest);
  });

  it('refuses header edits: "round" 3 -> 1, the seed, the rng, a tensor offset; each with a CheckpointError naming the checksum', () => {
    const edits: [string, string][] = [
      ['"round":3,', '"round":1,'],
      ['"seed":1', '"seed":2'],
      ['"rng":[1,2,3,4]', '"rng":[1,2,3,5]'],
      ['"m":{"offset":3', '"m":{"offset":4'],
      ['"accuracy":0.5', '"accuracy":0.9'],
    ];
    for (const [from, to] of edits) {
      const { dir, path, bytes } = sample();
      const text = bytes.toString('latin1');
      assert.ok(text.includes(from), from);
      writeFileSync(path, Buffer.from(text.replace(from, to), 'latin1'));
      assert.throws(
        () => loadCheckpoint(dir),
        (e: unknown) => e instanceof CheckpointError && e.code === 'WEFT_CHECKPOINT_INVALID' && e.field === 'checksum' && /damaged: checksum mismatch/.test(e.message),
        `${from} -> ${to}`,
      );
    }
  });

  it('refuses every one of 64 random single-bit flips across the file, and every flip in the 16-byte prefix', () => {
    const { dir, path, bytes } = sample();
    const start = 16 + bytes.readUInt32LE(12);
    const end = bytes.length - 32;
    const rand = lcg(20261201);
    const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo));
    // A quarter each in the prefix and header, the tensors, the checksum and anywhere.
    const positions = [
      ...Array.from({ length: 16 }, () => pick(0, start)),
      ...Array.from({ length: 16 }, () => pick(start, end)),
      ...Array.from({ length: 16 }, () => pick(end, bytes.length)),
      ...Array.from({ length: 16 }, () => pick(0, bytes.length)),
    ].map((byte) => byte * 8 + pick(0, 8));
    for (let bit = 0; bit < 16 * 8; bit++) positions.push(bit);
    const codes = new Map<string, number>();
    for (const position of positions) {
      const flipped = Buffer.from(bytes);
      flipped[position >> 3] ^= 1 << (position & 7);
      writeFileSync(path, flipped);
      let error: unknown;
      try {
        loadCheckpoint(dir);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof CheckpointError, `flip of bit ${position & 7} of byte ${position >> 3} was accepted`);
      assert.ok(error instanceof WeftError);
      assert.equal(error.code, 'WEFT_CHECKPOINT_INVALID');
      codes.set(error.field ?? '?', (codes.get(error.field ?? '?') ?? 0) + 1);
    }
    assert.equal(positions.length, 64 + 128);
    assert.ok((codes.get('checksum') ?? 0) >= 48, JSON.stringify([...codes]));
    writeFileSync(path, bytes);
    assert.equal(loadCheckpoint(dir)!.round, 3, 'the undamaged file still loads');
  });

  it('refuses a truncated file at any length, saying so', () => {
    const { dir, path, bytes } = sample();
    const start = 16 + bytes.readUInt32LE(12);
    for (const length of [0, 7, 12, 16, 40, start - 5, start, start + 10, bytes.length - 33, bytes.length - 1]) {
      writeFileSync(path, bytes);
      truncateSync(path, length);
      assert.throws(
        () => loadCheckpoint(dir),
        (e: unknown) => e instanceof CheckpointError && e.code === 'WEFT_CHECKPOINT_INVALID' && /truncated|bad magic|damaged/.test(e.message),
        `length ${length}`,
      );
    }
    writeFileSync(path, bytes.subarray(0, start + 10));
    assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof CheckpointError && e.field === 'length' && /truncated: \d+ bytes, its header says \d+/.test(e.message));
  });

  it('refuses a format-1 file (weft 0.2.0: header not checksummed) saying the format is old', () => {
    const { dir, path, bytes } = sample();
    bytes.writeUInt32LE(1, 8);
    writeFileSync(path, bytes);
    assert.throws(
      () => loadCheckpoint(dir),
      (e: unknown) => e instanceof CheckpointError && e.field === 'version' && e.found === 1 && e.expected === 2 && /format version 1, written by weft 0\.2\.0 or earlier/.test(e.message),
    );
  });

  it('refuses a correctly checksummed header that contradicts itself (round vs history, rng, tensor places)', () => {
    const cases: [(h: Record<string, any>) => void, string, RegExp][] = [
      [(h) => (h.round = 1), 'round', /"round" is 1, but the history holds 3 rounds/],
      [(h) => (h.round = 4), 'round', /"round" is 4, but the history ends with round 3/],
      [(h) => (h.round = -1), 'round', /expected an integer >= 0/],
      [(h) => (h.history[1].round = 1), 'history[1].round', /history\[1\]\.round is 1, expected an integer > 1/],
      [(h) => (h.failures[0].round = 9), 'failures[0].round', /failures\[0\]\.round is 9, expected at most 3/],
      [(h) => (h.server.rng = [1, 2, 3]), 'server.rng', /expected 4 unsigned 32-bit words/],
      [(h) => (h.server.tensors.v.offset = 68), 'server.tensors.v', /lies outside the 69-value tensor section/],
      [(h) => (h.floats = 70), 'floats', /"floats" is 70, the tensor section holds 69/],
    ];
    for (const [edit, field, message] of cases) {
      const { dir, path, bytes } = sample();
      writeFileSync(path, forgeHeader(bytes, edit));
      assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof CheckpointError && e.field === field && message.test(e.message), field);
    }
    const { dir, path, bytes } = sample();
    writeFileSync(path, forgeHeader(bytes, () => {}));
    assert.equal(loadCheckpoint(dir)!.round, 3, 'an unchanged header re-sealed loads');
  });

  it('removes temp files of dead writers on the next write, keeping live writers\' files', () => {
    const dir = freshDir();
    // Linux pids never exceed 4194304 (pid_max's ceiling), so this one is dead.
    const dead = 4194305;
    const names = {
      dead: `checkpoint.wfl.tmp-${dead}-0`,
      deadOldStyle: `checkpoint.wfl.tmp-${dead}`,
      mine: `checkpoint.wfl.tmp-${process.pid}-0`,
      liveOther: `checkpoint.wfl.tmp-${process.ppid}-0`,
      mySiblingThread: `checkpoint.wfl.tmp-${process.pid}-7`,
      unrelated: 'notes.tmp-1',
    };
    saveCheckpoint(dir, sampleCheckpoint());
    for (const name of Object.values(names)) writeFileSync(join(dir, name), 'partial');
    saveCheckpoint(dir, sampleCheckpoint());
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoint.wfl', names.liveOther, names.mySiblingThread, names.unrelated].sort());
    assert.equal(loadCheckpoint(dir)!.round, 3);
    writeFileSync(join(dir, names.dead), 'partial');
    assert.deepEqual(removeStaleTempFiles(dir), [names.dead]);
    assert.deepEqual(removeStaleTempFiles(freshDir()), [], 'a missing directory has none');
  });

  it('resume removes dead writers\' temp files and refuses a round past the run\'s end or an edited "round"', async () => {
    const dir = freshDir();
    const config = { ...SMALL, rounds: 2 };
    await runSimulation({ config, checkpoint: { dir, every: 1 } });
    const stale = join(dir, 'checkpoint.wfl.tmp-4194305-0');
    writeFileSync(stale, 'partial');
    const lines: string[] = [];
    await assert.rejects(
      runSimulation({ config: { ...config, rounds: 1 }, checkpoint: { dir, every: 1, resume: true }, log: (l) => lines.push(l) }),
      (e: unknown) =>
        e instanceof CheckpointError && e.code === 'WEFT_CHECKPOINT_MISMATCH' && e.field === 'round' && /after round 2, past this run's last round 1/.test(e.message),
    );
    assert.ok(!existsSync(stale));
    assert.ok(lines.some((l) => /removed 1 temp file/.test(l)), lines.join('\n'));
    const path = checkpointPath(dir);
    const text = readFileSync(path, 'latin1');
    assert.ok(text.includes('"round":2,'));
    writeFileSync(path, Buffer.from(text.replace('"round":2,', '"round":1,'), 'latin1'));
    await assert.rejects(
      runSimulation({ config: { ...config, rounds: 4 }, checkpoint: { dir, every: 1, resume: true } }),
      (e: unknown) => e instanceof CheckpointError && e.field === 'checksum',
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

/** A checkpoint after round 3 with a 64-value FedAdam-like state, a history and a failure. */
function sampleCheckpoint(): Checkpoint {
  const record = (round: number) => ({ round, accuracy: 0.5, loss: 1, trainLoss: 1, sampled: 2, trained: 2, dropped: [], retries: 0 }) as unknown as Checkpoint['history'][number];
  return {
    round: 3,
    settings: { model: 'mlp', seed: 1 },
    params: Float32Array.of(1.5, -2, 3.25),
    server: { rng: [1, 2, 3, 4], tensors: { m: Float32Array.of(0.5, 0.75), v: new Float32Array(64).fill(0.25) }, scalars: { t: 3 } },
    history: [record(1), record(2), record(3)],
    failures: [{ round: 2, clientId: 1, attempt: 0, cause: 'error', message: 'injected', action: 'retried' } as unknown as Checkpoint['failures'][number]],
  };
}

/** Saves {@link sampleCheckpoint} in a fresh directory. */
function sample(): { dir: string; path: string; bytes: Buffer } {
  const dir = freshDir();
  const path = saveCheckpoint(dir, sampleCheckpoint());
  return { dir, path, bytes: readFileSync(path) };
}

/** Rewrites the header with `edit` and re-seals the file with a correct checksum (what a buggy writer could produce). */
function forgeHeader(bytes: Buffer, edit: (header: Record<string, any>) => void): Buffer {
  const length = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.toString('utf8', 16, 16 + length));
  edit(header);
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.from(' '.repeat((4 - ((16 + json.length) % 4)) % 4))]);
  const prefix = Buffer.from(bytes.subarray(0, 16));
  prefix.writeUInt32LE(json.length, 12);
  const body = Buffer.concat([prefix, json, bytes.subarray(16 + length, bytes.length - 32)]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** A small seeded generator in [0, 1), so the flipped bits are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
