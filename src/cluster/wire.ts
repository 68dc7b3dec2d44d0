/**
 * How batches and results cross Redis: V8 serialisation (typed arrays, BigInt, Map, Date and cycles intact, as
 * between a pool and its process workers), carried as base64 text because BullMQ stores job data as JSON.
 *
 * Large typed arrays in a batch (FL's model parameters, a shared dataset) do not travel inside it: each is stored
 * once in Redis under its SHA-256 (see blob-store.ts), the batch carries the hash, and a worker machine fetches
 * it once and keeps it, however many tasks and batches carry the same bytes. Large typed arrays in results go
 * the other way as binary parts of their own, read once by the client (see result-parts.ts).
 */
import { createHash } from 'node:crypto';
import { DefaultDeserializer, DefaultSerializer } from 'node:v8';

/** Typed arrays of this many bytes or more travel outside the text: by content address, or as a result part. */
export const BLOB_MIN_BYTES = 64 * 1024;

/** A batch, encoded: the text, and the large arrays it refers to by hash (hex). */
export interface EncodedBatch {
  text: string;
  blobs: Map<string, Buffer>;
}

/**
 * A results message, encoded: the text, and its large arrays in order (FL's model updates). They are stored as
 * binary keys of their own (see result-parts.ts): inside the text each would be base64 in JSON, written to the
 * job, copied into the event stream and parsed back, about five copies of a third more bytes.
 */
export interface EncodedResults {
  text: string;
  parts: Buffer[];
}

const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, Buffer];
const INLINE = 0;
const BY_HASH = 1;
const BY_PART = 2;
/** Node's own handling of typed arrays (methods its type declarations leave out). */
const writeView = (DefaultSerializer.prototype as unknown as { _writeHostObject(this: DefaultSerializer, view: unknown): void })._writeHostObject;
const readView = (DefaultDeserializer.prototype as unknown as { _readHostObject(this: DefaultDeserializer): unknown })._readHostObject;

/** Writes large typed arrays out of line: by hash into `blobs` (batches), or in order into `parts` (results). */
class OutOfLineSerializer extends DefaultSerializer {
  readonly blobs = new Map<string, Buffer>();
  readonly parts: Buffer[] = [];

  constructor(private readonly byHash: boolean) {
    super();
  }

  _writeHostObject(view: NodeJS.TypedArray | DataView): void {
    const type = VIEWS.indexOf(view.constructor as (typeof VIEWS)[number]);
    if (type < 0 || view.byteLength < BLOB_MIN_BYTES) {
      this.writeUint32(INLINE);
      writeView.call(this, view);
      return;
    }
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    if (!this.byHash) {
      // A result is not touched again once sent: no copy.
      this.writeUint32(BY_PART);
      this.writeUint32(type);
      this.writeUint32(view.byteLength);
      this.writeUint32(this.parts.push(bytes) - 1);
      return;
    }
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

class OutOfLineDeserializer extends DefaultDeserializer {
  constructor(
    buffer: Buffer,
    private readonly blob: (hash: string) => Buffer,
    private readonly parts: readonly Buffer[],
  ) {
    super(buffer);
  }

  _readHostObject(): unknown {
    const where = this.readUint32();
    if (where === INLINE) return readView.call(this);
    const ctor = VIEWS[this.readUint32()];
    const byteLength = this.readUint32();
    const bytes = where === BY_PART ? this.part(this.readUint32(), byteLength) : this.blob(this.readRawBytes(32).toString('hex'));
    // A fresh copy per use: tasks may write to their arguments, and the cached bytes serve later batches too;
    // a part's bytes may sit at any offset of the reply's buffer, where a Float32Array cannot start.
    const copy = Buffer.from(bytes.subarray(0, byteLength));
    if (ctor === Buffer) return copy;
    const view = ctor as unknown as new (buffer: ArrayBufferLike, offset: number, length: number) => unknown;
    return new view(copy.buffer, copy.byteOffset, byteLength / (ctor as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT!);
  }

  private part(index: number, byteLength: number): Buffer {
    const bytes = this.parts[index];
    if (!bytes || bytes.length !== byteLength) throw new Error(`result part ${index} is ${bytes ? `${bytes.length} bytes, not ${byteLength}` : 'missing'}`);
    return bytes;
  }
}

/** Encodes a batch, taking out its large typed arrays. Throws (DataCloneError) on what V8 cannot serialise. */
export function encodeBatch(value: unknown): EncodedBatch {
  const serializer = new OutOfLineSerializer(true);
  serializer.writeHeader();
  serializer.writeValue(value);
  return { text: serializer.releaseBuffer().toString('base64'), blobs: serializer.blobs };
}

/** Decodes a batch; `blob(hash)` gives the bytes of each large array (all fetched beforehand). */
export function decodeBatch<T>(text: string, blob: (hash: string) => Buffer): T {
  const deserializer = new OutOfLineDeserializer(Buffer.from(text, 'base64'), blob, []);
  deserializer.readHeader();
  return deserializer.readValue() as T;
}

/**
 * Encodes a results message, taking out its large typed arrays; the text starts with their count (`2:…`).
 * Throws (DataCloneError) on what V8 cannot serialise.
 */
export function encodeResults(value: unknown): EncodedResults {
  const serializer = new OutOfLineSerializer(false);
  serializer.writeHeader();
  serializer.writeValue(value);
  const text = serializer.releaseBuffer().toString('base64');
  return { text: `${serializer.parts.length}:${text}`, parts: serializer.parts };
}

/** How many parts an encoded results message has (0 when its text is not one). */
export function resultPartCount(text: string): number {
  const colon = text.indexOf(':');
  return colon > 0 ? Number(text.slice(0, colon)) : 0;
}

/** Decodes a results message; `parts` are its large arrays, as {@link encodeResults} gave them, in order. */
export function decodeResults<T>(text: string, parts: readonly Buffer[]): T {
  const deserializer = new OutOfLineDeserializer(Buffer.from(text.slice(text.indexOf(':') + 1), 'base64'), () => {
    throw new Error('a results message refers to a stored array');
  }, parts);
  deserializer.readHeader();
  return deserializer.readValue() as T;
}
