/**
 * Large arrays by content address (the idea of Ray's object store, on Redis): a client stores each one once under
 * `<prefix>:<queue>:weft-blob:<client>:<sha256>`, with an expiry it renews on every use, and deletes them all
 * when it closes; a worker machine fetches each hash once, checks the bytes against it, and keeps them in a
 * bounded cache, whichever client and batch they come with.
 */
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';

/** A stored array outlives its last use by this long if its client dies without closing. */
export const BLOB_TTL_MS = 30 * 60_000;
/** Bytes a worker keeps (least recently used go first). */
const CACHE_BYTES = 512 * 1024 * 1024;

export function blobKey(prefix: string, queue: string, client: string, hash: string): string {
  return `${prefix}:${queue}:weft-blob:${client}:${hash}`;
}

/** The client's side: what it has stored, so each array is written once and only its expiry renewed after. */
export class BlobUploads {
  private readonly stored = new Set<string>();

  constructor(
    private readonly prefix: string,
    private readonly queue: string,
    private readonly client: string,
  ) {}

  /** Renews the expiry of arrays stored before, and stores those Redis does not have (new, expired, or lost). */
  async put(redis: Redis, blobs: Map<string, Buffer>): Promise<void> {
    await Promise.all(
      [...blobs].map(async ([hash, bytes]) => {
        const key = blobKey(this.prefix, this.queue, this.client, hash);
        if (this.stored.has(hash) && (await redis.pexpire(key, BLOB_TTL_MS)) === 1) return;
        this.stored.add(hash);
        await redis.set(key, bytes, 'PX', BLOB_TTL_MS);
      }),
    );
  }

  /** Deletes every array this client stored. */
  async clear(redis: Redis): Promise<void> {
    const keys = [...this.stored].map((hash) => blobKey(this.prefix, this.queue, this.client, hash));
    this.stored.clear();
    if (keys.length > 0) await redis.del(...keys);
  }
}

/** The worker's side: fetched arrays by hash, checked against it, least recently used evicted beyond CACHE_BYTES. */
export class BlobCache {
  private readonly cache = new Map<string, Buffer>();
  /** Fetches under way: concurrent jobs carrying the same new array wait for one fetch. */
  private readonly fetching = new Map<string, Promise<Buffer>>();
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
    await Promise.all(
      hashes.map(async (hash) => {
        found.set(hash, this.touch(hash) ?? (await this.fetchOne(redis, client, hash)));
      }),
    );
    return found;
  }

  private fetchOne(redis: Redis, client: string, hash: string): Promise<Buffer> {
    let fetching = this.fetching.get(hash);
    if (!fetching) {
      fetching = (async () => {
        const bytes = await redis.getBuffer(blobKey(this.prefix, this.queue, client, hash));
        if (!bytes) throw new Error(`the array with sha256 ${hash.slice(0, 16)} is no longer in Redis (its client closed, or it expired)`);
        // Whoever can write to Redis could plant other bytes under a hash: what does not match is refused.
        if (createHash('sha256').update(bytes).digest('hex') !== hash) throw new Error(`the bytes stored for sha256 ${hash.slice(0, 16)} do not have that hash`);
        this.fetched++;
        this.fetchedBytes += bytes.length;
        this.add(hash, bytes);
        return bytes;
      })().finally(() => this.fetching.delete(hash));
      this.fetching.set(hash, fetching);
    }
    return fetching;
  }

  private touch(hash: string): Buffer | undefined {
    const bytes = this.cache.get(hash);
    if (!bytes) return undefined;
    this.cache.delete(hash);
    this.cache.set(hash, bytes);
    return bytes;
  }

  private add(hash: string, bytes: Buffer): void {
    const old = this.cache.get(hash);
    if (old) this.bytes -= old.length;
    this.cache.delete(hash);
    this.cache.set(hash, bytes);
    this.bytes += bytes.length;
    for (const [key, value] of this.cache) {
      if (this.bytes <= CACHE_BYTES || key === hash) break;
      this.cache.delete(key);
      this.bytes -= value.length;
    }
  }
}
