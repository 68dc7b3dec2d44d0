/**
 * How batches and results cross Redis: V8 serialisation (typed arrays, BigInt, Map, Date and cycles intact, as
 * between a pool and its process workers), carried as base64 text because BullMQ stores job data as JSON.
 *
 * Large typed arrays in a batch (FL's model parameters, a shared dataset) do not travel inside it: each is stored
 * once in Redis under its SHA-256 (see blob-store.ts), the batch carries the hash, and a worker machine fetches
 * it once and keeps it, however many tasks and batches carry the same bytes.
 */
import { createHash } from 'node:crypto';
import { DefaultDeserializer, DefaultSerializer, deserialize, serialize } from 'node:v8';

/** Typed arrays of this many bytes or more go by content address. */
export const BLOB_MIN_BYTES = 64 * 1024;

/** Serialises `value` for a job's return value; throws (DataCloneError) on what V8 cannot serialise. */
export function encode(value: unknown): string {
  return serialize(value).toString('base64');
}

/** The value {@link encode} was given. */
export function decode<T>(text: string): T {
  return deserialize(Buffer.from(text, 'base64')) as T;
}

/** A batch, encoded: the text, and the large arrays it refers to by hash (hex). */
export interface EncodedBatch {
  text: string;
  blobs: Map<string, Buffer>;
}

const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, Buffer];
const INLINE = 0;
const BY_HASH = 1;
/** Node's own handling of typed arrays (methods its type declarations leave out). */
const writeView = (DefaultSerializer.prototype as unknown as { _writeHostObject(this: DefaultSerializer, view: unknown): void })._writeHostObject;
const readView = (DefaultDeserializer.prototype as unknown as { _readHostObject(this: DefaultDeserializer): unknown })._readHostObject;

class BatchSerializer extends DefaultSerializer {
  readonly blobs = new Map<string, Buffer>();

  _writeHostObject(view: NodeJS.TypedArray | DataView): void {
    const type = VIEWS.indexOf(view.constructor as (typeof VIEWS)[number]);
    if (type < 0 || view.byteLength < BLOB_MIN_BYTES) {
      this.writeUint32(INLINE);
      writeView.call(this, view);
      return;
    }
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    const hash = createHash('sha256').update(bytes).digest();
    const key = hash.toString('hex');
    // A copy: the caller may change its array once the call is made.
    if (!this.blobs.has(key)) this.blobs.set(key, Buffer.from(bytes));
    this.writeUint32(BY_HASH);
    this.writeUint32(type);
    this.writeUint32(view.byteLength);
    this.writeRawBytes(hash);
  }
}

class BatchDeserializer extends DefaultDeserializer {
  constructor(
    buffer: Buffer,
    private readonly blob: (hash: string) => Buffer,
  ) {
    super(buffer);
  }

  _readHostObject(): unknown {
    if (this.readUint32() === INLINE) return readView.call(this);
    const ctor = VIEWS[this.readUint32()];
    const byteLength = this.readUint32();
    const bytes = this.blob(this.readRawBytes(32).toString('hex'));
    // A fresh copy per use: tasks may write to their arguments, and the cached bytes serve later batches too.
    const copy = Buffer.from(bytes.subarray(0, byteLength));
    if (ctor === Buffer) return copy;
    const view = ctor as unknown as new (buffer: ArrayBufferLike, offset: number, length: number) => unknown;
    return new view(copy.buffer, copy.byteOffset, byteLength / (ctor as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT!);
  }
}

/** Encodes a batch, taking out its large typed arrays. Throws (DataCloneError) on what V8 cannot serialise. */
export function encodeBatch(value: unknown): EncodedBatch {
  const serializer = new BatchSerializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return { text: serializer.releaseBuffer().toString('base64'), blobs: serializer.blobs };
}

/** Decodes a batch; `blob(hash)` gives the bytes of each large array (all fetched beforehand). */
export function decodeBatch<T>(text: string, blob: (hash: string) => Buffer): T {
  const deserializer = new BatchDeserializer(Buffer.from(text, 'base64'), blob);
  deserializer.readHeader();
  return deserializer.readValue() as T;
}
