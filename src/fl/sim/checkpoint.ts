/**
 * Checkpoints: the global model, the server handler's state (its rng and optimiser tensors) and the history so
 * far, in one binary file written atomically (temp file, fsync, rename), so a kill at any instant leaves either
 * the previous checkpoint or the new one, never a torn file. Client streams need no saving: they are derived
 * from (seed, client, round).
 *
 * Layout: `WEFTFLCK`, u32 format version, u32 header length, the JSON header (padded to 4 bytes), then the float32
 * tensors back to back (little-endian). The header records each tensor's place and a SHA-256 of the tensor bytes.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RngState } from '../rng.js';
import type { ClientFailure } from './events.js';
import type { RoundRecord } from './metrics.js';
import type { ServerState } from './protocols.js';

const MAGIC = 'WEFTFLCK';
const FORMAT_VERSION = 1;
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

/** A checkpoint that cannot be read or does not fit the run. */
export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`checkpoint ${path}: ${detail}`);
    this.name = 'CheckpointError';
  }
}

interface TensorEntry {
  readonly offset: number;
  readonly length: number;
}

interface Header {
  readonly round: number;
  readonly settings: Record<string, unknown>;
  readonly params: TensorEntry;
  readonly server: { rng: RngState; scalars: Record<string, number>; tensors: Record<string, TensorEntry> };
  readonly history: readonly RoundRecord[];
  readonly failures: readonly ClientFailure[];
  readonly sha256: string;
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
  const hash = createHash('sha256');
  for (const t of tensors) hash.update(bytesOf(t));
  const header: Header = {
    round: checkpoint.round,
    settings: checkpoint.settings,
    params,
    server: { rng: checkpoint.server.rng, scalars: { ...checkpoint.server.scalars }, tensors: serverTensors },
    history: checkpoint.history,
    failures: checkpoint.failures,
    sha256: hash.digest('hex'),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((16 + json.length) % 4)) % 4;
  if (pad > 0) json = Buffer.concat([json, Buffer.from(' '.repeat(pad))]);
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);

  const path = checkpointPath(dir);
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, json);
    for (const t of tensors) writeAll(fd, bytesOf(t));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
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
  if (file.length < 16 || file.toString('latin1', 0, 8) !== MAGIC) throw new CheckpointError(path, 'not a weft FL checkpoint (bad magic)');
  const version = file.readUInt32LE(8);
  if (version !== FORMAT_VERSION) throw new CheckpointError(path, `format version ${version}, this weft reads ${FORMAT_VERSION}`);
  const headerLength = file.readUInt32LE(12);
  if (16 + headerLength > file.length) throw new CheckpointError(path, 'truncated header');
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', 16, 16 + headerLength)) as Header;
  } catch (error) {
    throw new CheckpointError(path, `unreadable header (${(error as Error).message})`);
  }
  const start = 16 + headerLength;
  const floats = (file.length - start) / 4;
  if (!Number.isInteger(floats)) throw new CheckpointError(path, 'tensor section is not a whole number of float32 values');
  // Copy into an aligned buffer: the file's Buffer may sit at any byte offset of a pooled allocation.
  const all = new Float32Array(floats);
  new Uint8Array(all.buffer).set(file.subarray(start));
  if (createHash('sha256').update(new Uint8Array(all.buffer)).digest('hex') !== header.sha256) {
    throw new CheckpointError(path, 'tensor data does not match its checksum (damaged file)');
  }
  const take = (entry: TensorEntry, what: string): Float32Array => {
    if (entry.offset + entry.length > floats) throw new CheckpointError(path, `${what} lies outside the file`);
    return all.slice(entry.offset, entry.offset + entry.length);
  };
  const tensors: Record<string, Float32Array> = {};
  for (const [name, entry] of Object.entries(header.server.tensors)) tensors[name] = take(entry, `server tensor ${name}`);
  return {
    round: header.round,
    settings: header.settings,
    params: take(header.params, 'params'),
    server: { rng: header.server.rng, scalars: header.server.scalars, tensors },
    history: header.history,
    failures: header.failures,
  };
}
