/**
 * Large arrays by content address (the idea of Ray's object store, on Redis): a client stores each one once under
 * `<prefix>:<queue>:weft-blob:<client>:<sha256>`, with an expiry it renews while it uses it, and deletes them all
 * when it closes; a worker machine fetches each hash once and keeps the bytes in a bounded cache, whichever client
 * and batch they come with.
 */
import type { Redis } from 'ioredis';

/** A stored array outlives its last use by this long if its client dies without closing. */
export const BLOB_TTL_MS = 30 * 60_000;
/** Bytes a worker keeps (least recently used go first). */
const CACHE_BYTES = 512 * 1024 * 1024;

export function blobKey(prefix: string, queue: string, client: string, hash: string): string {
  return `${prefix}:${queue}:weft-blob:${client}:${hash}`;
}

/** The client's side: what it has stored, and when, so each array is written once per half-expiry. */
export class BlobUploads {
  private readonly stored = new Map<string, number>();

  constructor(
    private readonly prefix: string,
    private readonly queue: string,
    private readonly client: string,
  ) {}

  /** Stores the arrays not stored lately. */
  async put(redis: Redis, blobs: Map<string, Buffer>): Promise<void> {
    const now = Date.now();
    const writes: Promise<unknown>[] = [];
    for (const [hash, bytes] of blobs) {
      const at = this.stored.get(hash);
      if (at !== undefined && now - at < BLOB_TTL_MS / 2) continue;
      this.stored.set(hash, now);
      writes.push(redis.set(blobKey(this.prefix, this.queue, this.client, hash), bytes, 'PX', BLOB_TTL_MS));
    }
    await Promise.all(writes);
  }

  /** Deletes every array this client stored. */
  async clear(redis: Redis): Promise<void> {
    const keys = [...this.stored.keys()].map((hash) => blobKey(this.prefix, this.queue, this.client, hash));
    this.stored.clear();
    if (keys.length > 0) await redis.del(...keys);
  }
}

/** The worker's side: fetched arrays by hash, least recently used evicted beyond CACHE_BYTES. */
export class BlobCache {
  private readonly cache = new Map<string, Buffer>();
  private bytes = 0;
  /** Arrays fetched from Redis, and their bytes (for stats and tests). */
  fetched = 0;
  fetchedBytes = 0;

  constructor(
    private readonly prefix: string,
    private readonly queue: string,
  ) {}

  /** The bytes of every hash, fetching those not cached; throws naming the first one Redis no longer has. */
  async fetch(redis: Redis, client: string, hashes: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const hash of hashes) {
      const bytes = this.touch(hash);
      if (bytes) found.set(hash, bytes);
      else missing.push(hash);
    }
    if (missing.length === 0) return found;
    const values = await Promise.all(missing.map((hash) => redis.getBuffer(blobKey(this.prefix, this.queue, client, hash))));
    missing.forEach((hash, i) => {
      const bytes = values[i];
      if (!bytes) throw new Error(`the array with sha256 ${hash.slice(0, 16)} is no longer in Redis (its client closed, or it expired)`);
      this.fetched++;
      this.fetchedBytes += bytes.length;
      this.add(hash, bytes);
      found.set(hash, bytes);
    });
    return found;
  }

  private touch(hash: string): Buffer | undefined {
    const bytes = this.cache.get(hash);
    if (!bytes) return undefined;
    this.cache.delete(hash);
    this.cache.set(hash, bytes);
    return bytes;
  }

  private add(hash: string, bytes: Buffer): void {
    this.cache.set(hash, bytes);
    this.bytes += bytes.length;
    for (const [old, value] of this.cache) {
      if (this.bytes <= CACHE_BYTES || old === hash) break;
      this.cache.delete(old);
      this.bytes -= value.length;
    }
  }
}
