/**
 * Trains one round's clients on the pool: one task per client, each writing into its own pre-allocated result
 * slot; a failed attempt is retried (up to `retries` times) or dropped, and the round completes with the rest.
 */
import { performance } from 'node:perf_hooks';
import { ResultLostError, TaskError, TimeoutError, WorkerCrashedError, type Pool } from '../../pool/index.js';
import type { ClientOutcome, SharedContext } from './client/task.js';
import type { RemoteContext, RemoteOutcome } from './client/remote-task.js';
import type { ClientFailure, FailureCause } from './events.js';
import { FlProtocolError } from '../errors.js';

export type ClientTaskModule = typeof import('./client/task.js');

/** A client that trained, and where its update is. */
export interface TrainedClient extends ClientOutcome {
  readonly slot: number;
}

/** The outcome of one round's training. */
export interface RoundTraining {
  /** Clients that trained, in ascending id order (the aggregation order). */
  readonly trained: TrainedClient[];
  readonly failures: ClientFailure[];
  /** From the first submission to the last settled client. */
  readonly wallMs: number;
}

export interface DispatchOptions {
  /** Per-attempt timeout in ms; 0 = none. */
  readonly timeoutMs: number;
  readonly retries: number;
  /** Result slots reserved for first attempts: one per sampled client. */
  readonly primarySlots: number;
  /** Extra slots for retries after a timeout (see {@link SlotPool}). */
  readonly spareSlots: number;
}

function causeOf(error: unknown): FailureCause {
  if (error instanceof TaskError) return 'threw';
  // A lost result is a crash too: the worker died after the client trained, before it reported.
  if (error instanceof WorkerCrashedError || error instanceof ResultLostError) return 'crashed';
  if (error instanceof TimeoutError) return 'timed-out';
  return 'error';
}

/**
 * Hands out result slots. A client's first attempt uses slot i (its place in the round's sample). A retry after
 * a throw or a crash reuses that slot: nothing is running on it any more. After a timeout the worker is being
 * terminated but may not have stopped writing yet, so the retry takes a spare slot and the old one stays
 * unused until the next round.
 */
class SlotPool {
  private readonly spares: number[];

  constructor(primary: number, spare: number) {
    this.spares = Array.from({ length: spare }, (_, i) => primary + i);
  }

  takeSpare(): number | undefined {
    return this.spares.shift();
  }
}

/** What a cluster task carries instead of the shared context: the settings and the global model. */
export function remoteContextOf(ctx: SharedContext): RemoteContext {
  return { id: ctx.id, config: ctx.config, global: ctx.global, paramCount: ctx.paramCount };
}

export class ClientDispatcher {
  constructor(
    private readonly pool: Pool<ClientTaskModule>,
    private ctx: SharedContext,
    private options: DispatchOptions,
    /** Cluster workers share no memory: they get {@link remoteContextOf} and send the update back. */
    private readonly remote = false,
  ) {}

  /** Result slots for first attempts. */
  get primarySlots(): number {
    return this.options.primarySlots;
  }

  /** Switches to a larger result buffer (same run id, so the workers' caches stay valid). */
  resize(ctx: SharedContext, primarySlots: number): void {
    this.ctx = ctx;
    this.options = { ...this.options, primarySlots };
  }

  async trainRound(round: number, clientIds: readonly number[]): Promise<RoundTraining> {
    if (clientIds.length > this.options.primarySlots) {
      throw new FlProtocolError(`${clientIds.length} clients sampled but only ${this.options.primarySlots} result slots`);
    }
    const t0 = performance.now();
    const slots = new SlotPool(this.options.primarySlots, this.options.spareSlots);
    const failures: ClientFailure[] = [];
    const results = await Promise.all(clientIds.map((clientId, i) => this.trainWithRetries(round, clientId, i, slots, failures)));
    const trained = results.filter((r): r is TrainedClient => r !== undefined).sort((a, b) => a.clientId - b.clientId);
    failures.sort((a, b) => a.clientId - b.clientId || a.attempt - b.attempt);
    return { trained, failures, wallMs: performance.now() - t0 };
  }

  private async trainWithRetries(
    round: number,
    clientId: number,
    firstSlot: number,
    slots: SlotPool,
    failures: ClientFailure[],
  ): Promise<TrainedClient | undefined> {
    const { timeoutMs, retries } = this.options;
    let slot = firstSlot;
    for (let attempt = 0; ; attempt++) {
      try {
        const sent = this.remote ? (remoteContextOf(this.ctx) as unknown as SharedContext) : this.ctx;
        const outcome = await this.pool.submit('trainClient', [sent, { clientId, round, attempt, slot }], timeoutMs > 0 ? { timeout: timeoutMs } : undefined);
        if (this.remote) {
          const { update, ...rest } = outcome as RemoteOutcome;
          const n = this.ctx.paramCount;
          this.ctx.results.subarray(slot * n, (slot + 1) * n).set(update);
          return { ...rest, slot };
        }
        return { ...outcome, slot };
      } catch (error) {
        const cause = causeOf(error);
        let message = error instanceof Error ? error.message : String(error);
        let next: number | undefined = slot;
        if (cause === 'timed-out') {
          next = slots.takeSpare();
          if (next === undefined && attempt < retries) message += ' (no spare result slot left for a retry)';
        }
        const retry = attempt < retries && next !== undefined;
        failures.push({ round, clientId, attempt, cause, message, action: retry ? 'retried' : 'dropped' });
        if (!retry) return undefined;
        slot = next!;
      }
    }
  }
}
