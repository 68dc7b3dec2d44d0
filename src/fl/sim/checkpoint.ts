/**
 * Checkpoints: the global model, the server handler's state (its rng and optimiser tensors) and the history so
 * far, in one binary file written atomically (temp file, fsync, rename), so a kill at any instant leaves either
 * the previous checkpoint or the new one, never a torn file. Client streams need no saving: they are derived
 * from (seed, client, round).
 *
 * Layout (format 2): `WEFTFLCK`, u32 format version, u32 header length, the JSON header (space-padded so the
 * tensors start at a multiple of 4 bytes), the float32 tensors back to back (little-endian), then a 32-byte
 * SHA-256 of every byte before it. The whole file is verified before any of it is believed, so a flipped bit
 * anywhere (prefix, header, tensors, the checksum itself) or a truncation is refused; the header is then checked
 * for consistency (round, history, tensor places) and, on resume, against the run (see {@link checkCheckpointFits}).
 * Format 1 (weft 0.2.0 and before: only the tensors were checksummed) is refused with a clear error.
 *
 * A writer killed mid-write leaves `checkpoint.wfl.tmp-<pid>-<threadId>`; the next write or resume in that
 * directory removes such files when their writer is gone (see {@link removeStaleTempFiles}).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { WeftError } from '../../shared/errors.js';
import type { RngState } from '../rng.js';
import type { ClientFailure } from './events.js';
import type { RoundRecord } from './metrics.js';
import type { ServerState } from './protocols.js';

const MAGIC = 'WEFTFLCK';
const FORMAT_VERSION = 2;
const PREFIX_BYTES = 16;
const DIGEST_BYTES = 32;
/** The checkpoint's file name inside the checkpoint directory. */
export const CHECKPOINT_FILE = 'checkpoint.wfl';

/** Everything needed to continue a run after `round`. */
export interface Checkpoint {
  /** The last completed round. */
  readonly round: number;
  /** The settings that determine the result (see `resultDeterminingSettings`); resuming checks they match. */
  readonly settings: Record<string, unknown>;
  readonly params: Float32Array;
  readonly server: ServerState;
  readonly history: readonly RoundRecord[];
  readonly failures: readonly ClientFailure[];
}

/**
 * `WEFT_CHECKPOINT_INVALID`: the file cannot be trusted (damaged, truncated, not a checkpoint, an unsupported
 * format version, an inconsistent header). `WEFT_CHECKPOINT_MISMATCH`: the file is intact but does not fit the
 * run resuming it (other settings, a round past the run's end, another model size).
 */
export type CheckpointErrorCode = 'WEFT_CHECKPOINT_INVALID' | 'WEFT_CHECKPOINT_MISMATCH';

/** A checkpoint that cannot be read or does not fit the run. The message names the file, the field and what was expected. */
export class CheckpointError extends WeftError {
  declare readonly code: CheckpointErrorCode;
  /** The part of the checkpoint that is wrong (`'checksum'`, `'version'`, `'round'`, `'settings.lr'`, ...), when known. */
  readonly field: string | undefined;
  readonly expected: unknown;
  readonly found: unknown;
  constructor(
    readonly path: string,
    detail: string,
    options: { code?: CheckpointErrorCode; field?: string; expected?: unknown; found?: unknown; cause?: unknown } = {},
  ) {
    super(options.code ?? 'WEFT_CHECKPOINT_INVALID', `checkpoint ${path}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
    this.expected = options.expected;
    this.found = options.found;
  }
}

interface TensorEntry {
  readonly offset: number;
  readonly length: number;
}

interface Header {
  readonly round: number;
  readonly settings: Record<string, unknown>;
  /** float32 values in the tensor section. */
  readonly floats: number;
  readonly params: TensorEntry;
  readonly server: { rng: RngState; scalars: Record<string, number>; tensors: Record<string, TensorEntry> };
  readonly history: readonly RoundRecord[];
  readonly failures: readonly ClientFailure[];
}

/** Path of the checkpoint file in `dir`. */
export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes `checkpoint` into `dir` (created if needed) atomically. Returns the file path. */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): string {
  mkdirSync(dir, { recursive: true });
  removeStaleTempFiles(dir);
  const tensors: Float32Array[] = [];
  let offset = 0;
  const place = (a: Float32Array): TensorEntry => {
    tensors.push(a);
    const entry = { offset, length: a.length };
    offset += a.length;
    return entry;
  };
  const params = place(checkpoint.params);
  const serverTensors: Record<string, TensorEntry> = {};
  for (const name of Object.keys(checkpoint.server.tensors).sort()) serverTensors[name] = place(checkpoint.server.tensors[name]);
  const header: Header = {
    round: checkpoint.round,
    settings: checkpoint.settings,
    floats: offset,
    params,
    server: { rng: checkpoint.server.rng, scalars: { ...checkpoint.server.scalars }, tensors: serverTensors },
    history: checkpoint.history,
    failures: checkpoint.failures,
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((PREFIX_BYTES + json.length) % 4)) % 4;
  if (pad > 0) json = Buffer.concat([json, Buffer.from(' '.repeat(pad))]);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  const hash = createHash('sha256').update(prefix).update(json);
  for (const t of tensors) hash.update(bytesOf(t));

  const path = checkpointPath(dir);
  const temp = tempPath(path);
  try {
    const fd = openSync(temp, 'w');
    try {
      writeAll(fd, prefix);
      writeAll(fd, json);
      for (const t of tensors) writeAll(fd, bytesOf(t));
      writeAll(fd, hash.digest());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  syncDirectory(dir);
  return path;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Makes the rename itself durable; best effort (some file systems refuse to fsync a directory). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // The data is written either way; only a power cut right now could lose the rename.
  }
}

/** The temp file this thread writes `path` through: `<path>.tmp-<pid>-<threadId>`. */
function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${threadId}`;
}

const TEMP_NAME = new RegExp(`^${CHECKPOINT_FILE.replace('.', '\\.')}\\.tmp-([1-9]\\d*)(?:-(\\d+))?$`);

/**
 * Removes temp files that killed writers left in `dir` and returns their names. A file is removed when its
 * writer is known to be gone: the pid in its name has no live process (`process.kill(pid, 0)` fails with ESRCH),
 * or it is this thread's own name (a write of this thread that failed; writes are synchronous, so none is under
 * way), or it has the format-1 name `.tmp-<pid>` with this process's pid (so its writer was an earlier process).
 * Files of live writers (other processes, other threads of this one) are left alone. Limits: a pid reused by an
 * unrelated live process keeps a dead writer's file until that process ends, and a writer in another pid
 * namespace (a container, another host over a network file system) cannot be checked, so a file whose pid is
 * alive or unknowable here is kept.
 */
export function removeStaleTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const thread = match[2] === undefined ? undefined : Number(match[2]);
    const stale = pid === process.pid ? thread === undefined || thread === threadId : !processAlive(pid);
    if (stale && unlinkQuietly(join(dir, name))) removed.push(name);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else. Anything but ESRCH counts as alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Unlinks `path`; false if it was already gone. */
function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads the checkpoint in `dir`, or returns undefined when there is none. Throws {@link CheckpointError} if damaged. */
export function loadCheckpoint(dir: string): Checkpoint | undefined {
  const path = checkpointPath(dir);
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const fail = (detail: string, field?: string, expected?: unknown, found?: unknown): never => {
    throw new CheckpointError(path, detail, { field, expected, found });
  };
  const magic = file.toString('latin1', 0, Math.min(8, file.length));
  if (magic !== MAGIC) fail(`not a weft FL checkpoint (bad magic: expected ${JSON.stringify(MAGIC)}, found ${JSON.stringify(magic)})`, 'magic', MAGIC, magic);
  if (file.length < PREFIX_BYTES + DIGEST_BYTES) {
    fail(`truncated: ${file.length} bytes, shorter than the ${PREFIX_BYTES + DIGEST_BYTES}-byte frame`, 'length', `>= ${PREFIX_BYTES + DIGEST_BYTES}`, file.length);
  }
  const version = file.readUInt32LE(8);
  if (version === 1) {
    fail(
      `format version 1, written by weft 0.2.0 or earlier, whose header is not checksummed; this weft reads format ` +
        `${FORMAT_VERSION} only: start the run again or use another directory`,
      'version',
      FORMAT_VERSION,
      version,
    );
  }
  if (version !== FORMAT_VERSION) {
    fail(`format version ${version}, this weft reads format ${FORMAT_VERSION} (a newer weft's file, or damaged)`, 'version', FORMAT_VERSION, version);
  }
  const headerLength = file.readUInt32LE(12);
  const body = file.subarray(0, file.length - DIGEST_BYTES);
  const recorded = file.subarray(file.length - DIGEST_BYTES).toString('hex');
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== recorded) {
    const expectedLength = claimedLength(file, headerLength);
    if (expectedLength !== undefined && expectedLength > file.length) {
      fail(`truncated: ${file.length} bytes, its header says ${expectedLength}`, 'length', expectedLength, file.length);
    }
    fail(`damaged: checksum mismatch (the SHA-256 of its contents is ${actual}, the file records ${recorded})`, 'checksum', recorded, actual);
  }
  // The bytes are as written; what follows catches a writer's bug (or a hand-made file), not damage.
  const start = PREFIX_BYTES + headerLength;
  if (start > body.length || start % 4 !== 0) fail(`header length ${headerLength} does not fit the file`, 'headerLength', `<= ${body.length - PREFIX_BYTES}`, headerLength);
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', PREFIX_BYTES, start)) as Header;
  } catch (error) {
    throw new CheckpointError(path, `unreadable header (${(error as Error).message})`, { field: 'header', cause: error });
  }
  const floats = (body.length - start) / 4;
  checkHeader(header, floats, fail);
  // Copy into an aligned buffer: the file's Buffer may sit at any byte offset of a pooled allocation.
  const all = new Float32Array(floats);
  new Uint8Array(all.buffer).set(body.subarray(start));
  const take = (entry: TensorEntry): Float32Array => all.slice(entry.offset, entry.offset + entry.length);
  const tensors: Record<string, Float32Array> = {};
  for (const [name, entry] of Object.entries(header.server.tensors)) tensors[name] = take(entry);
  return {
    round: header.round,
    settings: header.settings,
    params: take(header.params),
    server: { rng: header.server.rng, scalars: header.server.scalars, tensors },
    history: header.history,
    failures: header.failures,
  };
}

/** The file length a (not yet verified) header claims, for a better message than "damaged"; undefined if unreadable. */
function claimedLength(file: Buffer, headerLength: number): number | undefined {
  if (PREFIX_BYTES + headerLength > file.length) return PREFIX_BYTES + headerLength + DIGEST_BYTES;
  try {
    const floats = (JSON.parse(file.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength)) as Partial<Header>).floats;
    return Number.isSafeInteger(floats) ? PREFIX_BYTES + headerLength + (floats as number) * 4 + DIGEST_BYTES : undefined;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks a verified header's own consistency: types, the round against the history, tensor places. */
function checkHeader(header: Header, floats: number, fail: (detail: string, field?: string, expected?: unknown, found?: unknown) => never): void {
  if (!isObject(header)) fail('the header is not a JSON object', 'header');
  if (header.floats !== floats) fail(`header field "floats" is ${header.floats}, the tensor section holds ${floats}`, 'floats', floats, header.floats);
  if (!isCount(header.round)) fail(`header field "round" is ${JSON.stringify(header.round)}, expected an integer >= 0`, 'round', 'an integer >= 0', header.round);
  if (!isObject(header.settings)) fail('header field "settings" is not an object', 'settings');
  if (!Array.isArray(header.history)) fail('header field "history" is not an array', 'history');
  if (header.history.length > header.round) {
    fail(`header field "round" is ${header.round}, but the history holds ${header.history.length} rounds`, 'round', `>= ${header.history.length}`, header.round);
  }
  let previous = 0;
  for (const [i, record] of header.history.entries()) {
    const round = isObject(record) ? record.round : undefined;
    if (!isCount(round) || round <= previous) {
      fail(`history[${i}].round is ${JSON.stringify(round)}, expected an integer > ${previous}`, `history[${i}].round`, `> ${previous}`, round);
    }
    previous = round;
  }
  if (header.history.length > 0 && previous !== header.round) {
    fail(`header field "round" is ${header.round}, but the history ends with round ${previous}`, 'round', previous, header.round);
  }
  if (!Array.isArray(header.failures)) fail('header field "failures" is not an array', 'failures');
  for (const [i, failure] of header.failures.entries()) {
    const round = isObject(failure) ? failure.round : undefined;
    if (!isCount(round) || round > header.round) {
      fail(`failures[${i}].round is ${JSON.stringify(round)}, expected at most ${header.round}`, `failures[${i}].round`, `<= ${header.round}`, round);
    }
  }
  const server = header.server;
  if (!isObject(server) || !isObject(server.tensors) || !isObject(server.scalars)) fail('header field "server" lacks its tensors or scalars', 'server');
  const rng: unknown = server.rng;
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => isCount(w) && w <= 0xffffffff)) {
    fail(`header field "server.rng" is ${JSON.stringify(rng)}, expected 4 unsigned 32-bit words`, 'server.rng', '4 unsigned 32-bit words', rng);
  }
  for (const [name, value] of Object.entries(server.scalars)) {
    if (typeof value !== 'number') fail(`server scalar "${name}" is ${JSON.stringify(value)}, expected a number`, `server.scalars.${name}`, 'a number', value);
  }
  const entries: [string, unknown][] = [['params', header.params], ...Object.entries(server.tensors).map(([n, e]): [string, unknown] => [`server.tensors.${n}`, e])];
  for (const [what, entry] of entries) {
    const e = isObject(entry) ? entry : {};
    if (!isCount(e.offset) || !isCount(e.length) || e.offset + e.length > floats) {
      fail(`${what} (${JSON.stringify(entry)}) lies outside the ${floats}-value tensor section`, what, `within [0, ${floats}]`, entry);
    }
  }
}

/** What a resumed run needs a checkpoint to match. */
export interface ResumeExpectations {
  /** `resultDeterminingSettings` of the resuming run. */
  readonly settings: Record<string, unknown>;
  /** The resuming run's last round: the checkpoint's round must lie in [0, rounds]. */
  readonly rounds: number;
  /** The model's parameter count. */
  readonly paramCount: number;
}

/** Throws a {@link CheckpointError} (`WEFT_CHECKPOINT_MISMATCH`) naming the first way `checkpoint` does not fit the resuming run. */
export function checkCheckpointFits(path: string, checkpoint: Checkpoint, run: ResumeExpectations): void {
  const mismatch = (detail: string, field: string, expected: unknown, found: unknown): never => {
    throw new CheckpointError(path, detail, { code: 'WEFT_CHECKPOINT_MISMATCH', field, expected, found });
  };
  if (JSON.stringify(run.settings) !== JSON.stringify(checkpoint.settings)) {
    const keys = [...new Set([...Object.keys(run.settings), ...Object.keys(checkpoint.settings)])];
    const differing = keys.filter((k) => JSON.stringify(run.settings[k]) !== JSON.stringify(checkpoint.settings[k]));
    const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
    const what = differing.map((k) => `${k}: this run ${show(run.settings[k])}, checkpoint ${show(checkpoint.settings[k])}`).join('; ');
    mismatch(
      `it was made with different settings (${differing.join(', ')}) [${what}]; resume with the same ones or use another directory`,
      differing.length > 0 ? `settings.${differing[0]}` : 'settings',
      run.settings,
      checkpoint.settings,
    );
  }
  if (checkpoint.round > run.rounds) {
    const detail = `it is after round ${checkpoint.round}, past this run's last round ${run.rounds}; resume with rounds >= ${checkpoint.round}`;
    mismatch(detail, 'round', `<= ${run.rounds}`, checkpoint.round);
  }
  if (checkpoint.params.length !== run.paramCount) {
    mismatch(`it holds ${checkpoint.params.length} parameters, the model has ${run.paramCount}`, 'params', run.paramCount, checkpoint.params.length);
  }
}
