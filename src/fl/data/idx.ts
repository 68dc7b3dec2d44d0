/**
 * Reader for IDX files, the format MNIST ships in.
 *
 * Layout: a 4-byte magic number (two zero bytes, an element-type byte, a dimension-count byte), then one big-endian
 * uint32 per dimension, then the elements in row-major order (big-endian when wider than a byte).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { WeftError } from '../../shared/errors.js';

/** Element types defined by the IDX format, keyed by their type byte. */
export const IDX_TYPES = {
  0x08: { name: 'ubyte', size: 1 },
  0x09: { name: 'byte', size: 1 },
  0x0b: { name: 'short', size: 2 },
  0x0c: { name: 'int', size: 4 },
  0x0d: { name: 'float', size: 4 },
  0x0e: { name: 'double', size: 8 },
} as const;

/** Type byte of an IDX element type. */
export type IdxTypeCode = keyof typeof IDX_TYPES;

/** Why an IDX file was rejected. */
export type IdxErrorCode =
  | 'ENOENT'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_TYPE'
  | 'BAD_LENGTH'
  | 'BAD_LIMIT'
  /** Dimensions do not match what the caller expects (e.g. MNIST images not 28x28). */
  | 'BAD_SHAPE'
  /** An element value is out of range (e.g. a label that is not a digit). */
  | 'BAD_VALUE';

/**
 * Thrown for a missing, truncated or malformed IDX file: `reason` says which, `source` names the
 * file; `code` is weft's `WEFT_FL_DATA`.
 */
export class IdxFormatError extends WeftError {
  constructor(
    readonly reason: IdxErrorCode,
    readonly source: string,
    detail: string,
  ) {
    super('WEFT_FL_DATA', `${source}: ${detail}`);
  }
}

/** A parsed IDX tensor. `data` holds only the first `dims[0]` items (see `limit`). */
export interface IdxTensor {
  /** Element type byte (0x08 = unsigned byte). */
  readonly type: IdxTypeCode;
  /** Dimensions; `dims[0]` is the number of items read, which is below the file's count when `limit` was used. */
  readonly dims: readonly number[];
  /** Dimensions as stored in the file header. */
  readonly fileDims: readonly number[];
  /** Elements in row-major order, decoded to host byte order. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Options for {@link readIdxFile} and {@link parseIdx}. */
export interface IdxReadOptions {
  /** Read only the first `limit` items along the first dimension. */
  readonly limit?: number;
  /** Accept only these element types (by type byte); others raise `UNSUPPORTED_TYPE`. */
  readonly expectType?: IdxTypeCode;
}

interface IdxHeader {
  type: IdxTypeCode;
  dims: number[];
  headerBytes: number;
  elementSize: number;
}

function parseHeader(head: Uint8Array, source: string, options: IdxReadOptions): IdxHeader {
  if (head.length < 4) {
    throw new IdxFormatError('BAD_LENGTH', source, `file is ${head.length} bytes, too short for an IDX magic number`);
  }
  const magicHex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (head[0] !== 0 || head[1] !== 0) {
    throw new IdxFormatError('BAD_MAGIC', source, `bad magic number 0x${magicHex}: an IDX file starts with two zero bytes`);
  }
  const typeByte = head[2];
  const rank = head[3];
  const info = (IDX_TYPES as Record<number, { name: string; size: number } | undefined>)[typeByte];
  if (info === undefined) {
    throw new IdxFormatError(
      'UNSUPPORTED_TYPE',
      source,
      `unsupported element type 0x${typeByte.toString(16).padStart(2, '0')} in magic number 0x${magicHex}`,
    );
  }
  if (options.expectType !== undefined && typeByte !== options.expectType) {
    const want = IDX_TYPES[options.expectType].name;
    throw new IdxFormatError('UNSUPPORTED_TYPE', source, `element type is ${info.name}, expected ${want}`);
  }
  if (rank === 0) {
    throw new IdxFormatError('BAD_MAGIC', source, `bad magic number 0x${magicHex}: zero dimensions`);
  }
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) {
    throw new IdxFormatError('BAD_LENGTH', source, `file ends inside the header (${rank} dimensions need ${headerBytes} bytes)`);
  }
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  return { type: typeByte as IdxTypeCode, dims, headerBytes, elementSize: info.size };
}

function decode(type: IdxTypeCode, bytes: Uint8Array): IdxTensor['data'] {
  const n = bytes.length / IDX_TYPES[type].size;
  if (type === 0x08) return bytes;
  if (type === 0x09) return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (type) {
    case 0x0b: {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 0x0e: {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

function itemsToRead(header: IdxHeader, source: string, limit: number | undefined): number {
  const count = header.dims[0];
  if (limit === undefined) return count;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new IdxFormatError('BAD_LIMIT', source, `limit must be a non-negative integer, got ${limit}`);
  }
  if (limit > count) {
    throw new IdxFormatError('BAD_LIMIT', source, `asked for ${limit} items but the file holds ${count}`);
  }
  return limit;
}

function expectedBytes(header: IdxHeader): number {
  let elements = 1;
  for (const d of header.dims) elements *= d;
  return header.headerBytes + elements * header.elementSize;
}

function checkLength(header: IdxHeader, source: string, actual: number): void {
  const expected = expectedBytes(header);
  if (actual !== expected) {
    const dims = header.dims.join('x');
    const which = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new IdxFormatError(
      'BAD_LENGTH',
      source,
      `file ${which}: dimensions ${dims} need ${expected} bytes, found ${actual}`,
    );
  }
}

function tensor(header: IdxHeader, items: number, body: Uint8Array): IdxTensor {
  const dims = [items, ...header.dims.slice(1)];
  return { type: header.type, dims, fileDims: header.dims, data: decode(header.type, body) };
}

/** Parses an IDX file already in memory. `source` names it in error messages. */
export function parseIdx(bytes: Uint8Array, source = '<buffer>', options: IdxReadOptions = {}): IdxTensor {
  const header = parseHeader(bytes, source, options);
  checkLength(header, source, bytes.length);
  const items = itemsToRead(header, source, options.limit);
  const itemBytes = (expectedBytes(header) - header.headerBytes) / Math.max(1, header.dims[0]);
  const body = bytes.subarray(header.headerBytes, header.headerBytes + items * itemBytes);
  return tensor(header, items, body);
}

/**
 * Reads an IDX file from disk. With `limit`, only the header and the first `limit` items are read, but the file's
 * total length is still checked against its header so a truncated file is always reported.
 */
export function readIdxFile(path: string, options: IdxReadOptions = {}): IdxTensor {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new IdxFormatError('ENOENT', path, 'file not found');
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const headBuf = new Uint8Array(Math.min(size, 4 + 4 * 255));
    readFully(fd, headBuf, 0);
    const header = parseHeader(headBuf, path, options);
    checkLength(header, path, size);
    const items = itemsToRead(header, path, options.limit);
    const itemBytes = (size - header.headerBytes) / Math.max(1, header.dims[0]);
    // Own buffer (not a pooled one) so the typed array views decode() makes are aligned and exclusive.
    const body = new Uint8Array(items * itemBytes);
    readFully(fd, body, header.headerBytes);
    return tensor(header, items, body);
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error('unexpected end of file');
    done += n;
  }
}
