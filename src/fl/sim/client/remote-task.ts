/**
 * The simulator's task module for cluster workers (`weft worker --fl`): the same tasks as task.ts, for machines
 * that share no memory with the server. A task carries the run's settings and the global model only (the model as
 * one large array, which the cluster stores once and each machine fetches once per round); the machine loads and
 * partitions MNIST itself, as the server did, from the same settings, and returns each client's update instead of
 * writing it into a shared result slot. Same code, same data, same seeds: the same bits as on threads.
 */
import type { SimConfig } from '../config.js';
import { contextArrays, loadFederatedData } from '../data.js';
import { SharedArena } from '../memory.js';
import { FlProtocolError } from '../../errors.js';
import * as local from './task.js';
import type { ClientJob, ClientOutcome, EvalPart, SharedContext } from './task.js';

/** What a cluster task carries. */
export interface RemoteContext {
  readonly id: string;
  readonly config: SimConfig;
  /** The global model of the round. */
  readonly global: Float32Array;
  readonly paramCount: number;
}

/** A trained client, with its update. */
export interface RemoteOutcome extends ClientOutcome {
  readonly update: Float32Array;
}

interface LocalRun {
  readonly id: string;
  readonly ctx: Omit<SharedContext, 'global'>;
}

let run: LocalRun | undefined;

/** This machine's copy of the run's data, loaded on the run's first task in this worker. */
function contextFor(remote: RemoteContext): SharedContext {
  if (run?.id !== remote.id) {
    // Plain memory: only this worker reads it.
    const data = loadFederatedData(remote.config, new SharedArena('memory'));
    run = {
      id: remote.id,
      ctx: {
        id: remote.id,
        config: remote.config,
        ...contextArrays(data),
        results: new Float32Array(remote.paramCount),
        paramCount: remote.paramCount,
      },
    };
  }
  if (remote.global.length !== remote.paramCount) {
    throw new FlProtocolError(`the global model has ${remote.global.length} parameters, the run expects ${remote.paramCount}`);
  }
  return { ...run.ctx, global: remote.global };
}

export async function prepare(remote: RemoteContext): Promise<{ worker: string; setupMs: number }> {
  const t0 = performance.now();
  const prepared = await local.prepare(contextFor(remote));
  return { ...prepared, setupMs: performance.now() - t0 };
}

/** Trains one client of one round; its update comes back with the outcome. */
export async function trainClient(remote: RemoteContext, job: ClientJob): Promise<RemoteOutcome> {
  const ctx = contextFor(remote);
  // A worker runs one task at a time, so its one result slot is free.
  const outcome = await local.trainClient(ctx, { ...job, slot: 0 });
  return { ...outcome, update: ctx.results.slice(0, ctx.paramCount) };
}

export async function evaluateRange(remote: RemoteContext, start: number, count: number): Promise<EvalPart> {
  return local.evaluateRange(contextFor(remote), start, count);
}
