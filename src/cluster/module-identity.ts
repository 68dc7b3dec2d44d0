/**
 * A task module's identity across machines: its file's SHA-256. A client and a worker agree on a module only if
 * they hold the same file, and the BullMQ queue a client sends to is named after that hash, so a worker with
 * another version of the module never sees the jobs at all.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '../pool/errors.js';

export interface ModuleIdentity {
  /** The module's file URL. */
  url: string;
  /** Its path, for messages. */
  path: string;
  /** SHA-256 of the file, hex. */
  hash: string;
}

/** Reads and hashes the module at `url` (a file URL); throws InvalidOptionError on `option` when it cannot be read. */
export function moduleIdentity(url: string, option = 'module'): ModuleIdentity {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    throw new InvalidOptionError(option, `a cluster task module must be a file (a path or file: URL), got ${url}`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InvalidOptionError(option, `cannot read ${path} to hash it: ${(error as Error).message}`);
  }
  return { url, path, hash: createHash('sha256').update(bytes).digest('hex') };
}

/** The BullMQ queue of a module on a weft queue: `<queue>.<first 16 hex digits of the hash>`. */
export function jobQueueName(queue: string, hash: string): string {
  return `${queue}.${hash.slice(0, 16)}`;
}
