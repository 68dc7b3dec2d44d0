/**
 * How batches and results cross Redis: V8 serialisation (typed arrays, BigInt, Map, Date and cycles intact, as
 * between a pool and its process workers), carried as base64 text because BullMQ stores job data as JSON.
 */
import { deserialize, serialize } from 'node:v8';

/** Serialises `value` for a job's data or return value; throws (DataCloneError) on what V8 cannot serialise. */
export function encode(value: unknown): string {
  return serialize(value).toString('base64');
}

/** The value {@link encode} was given. */
export function decode<T>(text: string): T {
  return deserialize(Buffer.from(text, 'base64')) as T;
}
