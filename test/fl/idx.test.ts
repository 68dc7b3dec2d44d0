import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IdxFormatError, parseIdx, readIdxFile } from '../../src/fl/data/idx.js';
import { WeftError } from '../../src/shared/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: magic (0, 0, type, rank), dims as uint32 BE, then `body`. */
function idxBytes(type: number, dims: number[], body: number[] | Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  const view = new DataView(head.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function expectIdxError(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IdxFormatError, `expected IdxFormatError, got ${String(err)}`);
    assert.equal(err.reason, code);
    assert.equal(err.code, 'WEFT_FL_DATA');
    assert.ok(err instanceof WeftError);
    assert.match(err.message, message);
    return true;
  });
}

describe('IDX parser', () => {
  it('reads an unsigned-byte tensor', () => {
    const path = write('ok.idx', idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 255]));
    const t = readIdxFile(path);
    assert.deepEqual(t.dims, [2, 3]);
    assert.equal(t.type, 0x08);
    assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 255]);
  });

  it('reads only the first items with limit, still checking the total length', () => {
    const path = write('lim.idx', idxBytes(0x08, [3, 2], [1, 2, 3, 4, 5, 6]));
    const t = readIdxFile(path, { limit: 2 });
    assert.deepEqual(t.dims, [2, 2]);
    assert.deepEqual(t.fileDims, [3, 2]);
    assert.deepEqual(Array.from(t.data), [1, 2, 3, 4]);
    const short = write('lim-short.idx', idxBytes(0x08, [3, 2], [1, 2, 3, 4, 5]));
    expectIdxError(() => readIdxFile(short, { limit: 1 }), 'BAD_LENGTH', /truncated.*3x2 need 18 bytes, found 17/);
    expectIdxError(() => readIdxFile(path, { limit: 4 }), 'BAD_LIMIT', /asked for 4 items but the file holds 3/);
  });

  it('decodes big-endian wider types', () => {
    const t = parseIdx(idxBytes(0x0c, [2], [0, 0, 1, 2, 0xff, 0xff, 0xff, 0xfe]));
    assert.deepEqual(Array.from(t.data), [258, -2]);
    const f = parseIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0, 0]));
    assert.deepEqual(Array.from(f.data), [1.5]);
  });

  it('reports a missing file', () => {
    expectIdxError(() => readIdxFile(join(dir, 'nope.idx')), 'ENOENT', /nope\.idx: file not found/);
  });

  it('reports a bad magic number', () => {
    const path = write('magic.idx', Uint8Array.from([0x1f, 0x8b, 0x08, 0x01, 0, 0, 0, 0]));
    expectIdxError(() => readIdxFile(path), 'BAD_MAGIC', /bad magic number 0x1f8b0801/);
    expectIdxError(() => parseIdx(Uint8Array.from([0, 0, 8, 0])), 'BAD_MAGIC', /zero dimensions/);
  });

  it('reports an unsupported element type', () => {
    const path = write('type.idx', idxBytes(0x07, [1], [0]));
    expectIdxError(() => readIdxFile(path), 'UNSUPPORTED_TYPE', /unsupported element type 0x07/);
    const ints = write('int.idx', idxBytes(0x0c, [1], [0, 0, 0, 1]));
    expectIdxError(() => readIdxFile(ints, { expectType: 0x08 }), 'UNSUPPORTED_TYPE', /element type is int, expected ubyte/);
  });

  it('reports a file shorter or longer than its dimensions say', () => {
    const short = write('short.idx', idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5]));
    expectIdxError(() => readIdxFile(short), 'BAD_LENGTH', /truncated: dimensions 2x3 need 18 bytes, found 17/);
    const long = write('long.idx', idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6, 7]));
    expectIdxError(() => readIdxFile(long), 'BAD_LENGTH', /trailing bytes: dimensions 2x3 need 18 bytes, found 19/);
    const header = write('header.idx', Uint8Array.from([0, 0, 8, 3, 0, 0]));
    expectIdxError(() => readIdxFile(header), 'BAD_LENGTH', /ends inside the header/);
    expectIdxError(() => parseIdx(Uint8Array.from([0, 0])), 'BAD_LENGTH', /too short/);
  });
});
