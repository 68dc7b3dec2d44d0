/**
 * Seeded partitions of a dataset's example indices over simulated clients, and a label-histogram summary.
 *
 * A partition is one `Uint32Array` of example indices per client. Every index appears in exactly one client.
 * All randomness comes from the caller's {@link Rng}, so the same seed gives the same partition everywhere.
 */
import { sampleDirichlet } from './distributions.js';
import type { Rng } from './rng.js';
import { FlArgumentError } from './errors.js';

/** Example indices per client: `partition[c]` lists client c's examples. */
export type Partition = Uint32Array[];

function checkClients(clients: number, examples: number): void {
  if (!Number.isInteger(clients) || clients < 1) throw new FlArgumentError(`clients must be a positive integer, got ${clients}`);
  if (clients > examples) throw new FlArgumentError(`${clients} clients but only ${examples} examples`);
}

function iota(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** IID: shuffle all indices and deal them into `clients` parts whose sizes differ by at most one. */
export function partitionIid(examples: number, clients: number, rng: Rng): Partition {
  checkClients(clients, examples);
  const all = rng.shuffle(iota(examples));
  const parts: Partition = [];
  const base = Math.floor(examples / clients);
  const extra = examples % clients;
  let start = 0;
  for (let c = 0; c < clients; c++) {
    const size = base + (c < extra ? 1 : 0);
    parts.push(all.slice(start, start + size));
    start += size;
  }
  return parts;
}

/** Indices sorted by label, ties by index (a stable, seed-independent order). */
function indicesByLabel(labels: ArrayLike<number>): Uint32Array {
  const idx = iota(labels.length);
  idx.sort((a, b) => labels[a] - labels[b] || a - b);
  return idx;
}

/**
 * Shards, as in the FedAvg paper: sort examples by label, cut them into `clients * shardsPerClient` equal shards
 * (sizes differ by at most one when the count does not divide), and give each client `shardsPerClient` random
 * shards. With 2 shards per client most clients see only two digits.
 */
export function partitionShards(labels: ArrayLike<number>, clients: number, rng: Rng, shardsPerClient = 2): Partition {
  checkClients(clients, labels.length);
  if (!Number.isInteger(shardsPerClient) || shardsPerClient < 1) {
    throw new FlArgumentError(`shardsPerClient must be a positive integer, got ${shardsPerClient}`);
  }
  const shards = clients * shardsPerClient;
  if (shards > labels.length) throw new FlArgumentError(`${shards} shards but only ${labels.length} examples`);
  const sorted = indicesByLabel(labels);
  const bounds = new Uint32Array(shards + 1);
  const base = Math.floor(labels.length / shards);
  const extra = labels.length % shards;
  for (let s = 0; s < shards; s++) bounds[s + 1] = bounds[s] + base + (s < extra ? 1 : 0);
  const order = rng.shuffle(iota(shards));
  const parts: Partition = [];
  for (let c = 0; c < clients; c++) {
    let size = 0;
    for (let j = 0; j < shardsPerClient; j++) {
      const s = order[c * shardsPerClient + j];
      size += bounds[s + 1] - bounds[s];
    }
    const part = new Uint32Array(size);
    let at = 0;
    for (let j = 0; j < shardsPerClient; j++) {
      const s = order[c * shardsPerClient + j];
      part.set(sorted.subarray(bounds[s], bounds[s + 1]), at);
      at += bounds[s + 1] - bounds[s];
    }
    parts.push(part);
  }
  return parts;
}

/** Options for {@link partitionDirichlet}. */
export interface DirichletOptions {
  /** Number of classes; defaults to max(label) + 1. */
  readonly classes?: number;
  /** Redraw the whole partition until every client has at least this many examples (default 1). */
  readonly minSize?: number;
  /** Give up after this many draws (default 1000). */
  readonly maxAttempts?: number;
  /**
   * Stop giving a class's examples to clients that already hold an average share (as NIID-Bench does), which keeps
   * client sizes from drifting far apart. Default true.
   */
  readonly balance?: boolean;
}

/**
 * Dirichlet over labels: for each class, draw client proportions p ~ Dir(alpha, ..., alpha) and split that class's
 * (shuffled) examples accordingly. Small alpha (0.1) gives clients dominated by one or two classes; large alpha
 * (100) approaches IID.
 */
export function partitionDirichlet(
  labels: ArrayLike<number>,
  clients: number,
  alpha: number,
  rng: Rng,
  options: DirichletOptions = {},
): Partition {
  checkClients(clients, labels.length);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new FlArgumentError(`alpha must be a positive number, got ${alpha}`);
  const n = labels.length;
  let classes = options.classes ?? 0;
  if (options.classes === undefined) for (let i = 0; i < n; i++) classes = Math.max(classes, labels[i] + 1);
  const minSize = options.minSize ?? 1;
  const maxAttempts = options.maxAttempts ?? 1000;
  const balance = options.balance ?? true;
  if (minSize * clients > n) throw new FlArgumentError(`minSize ${minSize} x ${clients} clients exceeds ${n} examples`);

  const byClass: Uint32Array[] = [];
  const sorted = indicesByLabel(labels);
  let start = 0;
  for (let k = 0; k < classes; k++) {
    let end = start;
    while (end < n && labels[sorted[end]] === k) end++;
    byClass.push(sorted.slice(start, end));
    start = end;
  }
  if (start !== n) throw new FlArgumentError(`labels must be integers in [0, ${classes})`);

  const alphas = new Float64Array(clients).fill(alpha);
  const p = new Float64Array(clients);
  const masked = new Float64Array(clients);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const buckets: number[][] = Array.from({ length: clients }, () => []);
    for (let k = 0; k < classes; k++) {
      const idx = rng.shuffle(byClass[k].slice());
      sampleDirichlet(rng, alphas, p);
      let weights = p;
      if (balance) {
        let sum = 0;
        for (let c = 0; c < clients; c++) {
          masked[c] = buckets[c].length < n / clients ? p[c] : 0;
          sum += masked[c];
        }
        if (sum > 0) {
          for (let c = 0; c < clients; c++) masked[c] /= sum;
          weights = masked;
        }
      }
      let cum = 0;
      let from = 0;
      for (let c = 0; c < clients; c++) {
        cum += weights[c];
        const to = c === clients - 1 ? idx.length : Math.min(idx.length, Math.floor(cum * idx.length));
        for (let i = from; i < to; i++) buckets[c].push(idx[i]);
        from = Math.max(from, to);
      }
    }
    if (buckets.every((b) => b.length >= minSize)) return buckets.map((b) => Uint32Array.from(b));
  }
  throw new FlArgumentError(
    `dirichlet partition: no draw in ${maxAttempts} attempts gave every one of ${clients} clients >= ${minSize} examples ` +
      `(alpha ${alpha}); raise alpha, lower minSize or use fewer clients`,
  );
}

/** Per-client label counts and a compact text rendering, from {@link summarizePartition}. */
export interface PartitionSummary {
  /** `counts[c][k]`: examples of class k held by client c. */
  readonly counts: number[][];
  /** Examples per client. */
  readonly sizes: number[];
  /** Number of classes each client holds at least one example of. */
  readonly classesPerClient: number[];
  /** A printable table: one line per client (elided in the middle when there are many) plus a totals line. */
  readonly text: string;
}

const BARS = ' ▁▂▃▄▅▆▇█';

/**
 * Counts each client's labels and renders them compactly: per client, its size, a one-character bar per class
 * (height relative to that client's largest class) and the classes it holds.
 */
export function summarizePartition(
  partition: Partition,
  labels: ArrayLike<number>,
  classes: number,
  maxRows = 20,
): PartitionSummary {
  const counts = partition.map((part) => {
    const row = new Array<number>(classes).fill(0);
    for (let i = 0; i < part.length; i++) row[labels[part[i]]]++;
    return row;
  });
  const sizes = partition.map((p) => p.length);
  const classesPerClient = counts.map((row) => row.filter((x) => x > 0).length);
  const idWidth = String(partition.length - 1).length;
  const sizeWidth = String(Math.max(0, ...sizes)).length;
  const line = (c: number): string => {
    const row = counts[c];
    const top = Math.max(1, ...row);
    const bars = row.map((x) => (x === 0 ? '·' : BARS[Math.max(1, Math.round((x / top) * 8))])).join('');
    return `client ${String(c).padStart(idWidth)}  n=${String(sizes[c]).padStart(sizeWidth)}  ${bars}  ${classesPerClient[c]} classes`;
  };
  const lines: string[] = [];
  const rows = partition.length;
  if (rows <= maxRows) {
    for (let c = 0; c < rows; c++) lines.push(line(c));
  } else {
    const head = Math.ceil(maxRows / 2);
    const tail = maxRows - head;
    for (let c = 0; c < head; c++) lines.push(line(c));
    lines.push(`... ${rows - maxRows} more clients ...`);
    for (let c = rows - tail; c < rows; c++) lines.push(line(c));
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const mean = total / Math.max(1, rows);
  const meanClasses = classesPerClient.reduce((a, b) => a + b, 0) / Math.max(1, rows);
  lines.push(
    `${rows} clients, ${total} examples; size min ${Math.min(...sizes)} / mean ${mean.toFixed(1)} / max ` +
      `${Math.max(...sizes)}; classes per client mean ${meanClasses.toFixed(2)}`,
  );
  return { counts, sizes, classesPerClient, text: lines.join('\n') };
}
