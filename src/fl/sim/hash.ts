/** SHA-256 of a parameter vector's bytes: the fingerprint that must match across backends and worker counts. */
import { createHash } from 'node:crypto';

/** Hex SHA-256 of the raw (little-endian float32) bytes of `params`. */
export function paramsHash(params: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)).digest('hex');
}
