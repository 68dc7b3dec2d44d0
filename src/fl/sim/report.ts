/** The run's report as JSON (config, per-round metrics, failures, `paramsHash`) or CSV (one row per round). */
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import type { SimulationResult } from './simulation.js';

/** The JSON document written by `weft fl --json`. */
export interface FlReport {
  readonly tool: 'weft fl';
  readonly createdAt: string;
  readonly machine: { readonly node: string; readonly cpus: number; readonly cpuModel: string };
  readonly config: SimulationResult['config'];
  readonly paramsHash: string;
  readonly accuracy: number | null;
  readonly loss: number | null;
  readonly resumedFrom: number | null;
  readonly startup: SimulationResult['startup'];
  /** Mean wall seconds per round, and of its training phase alone, over the rounds of this report. */
  readonly meanSecondsPerRound: number;
  readonly meanTrainSecondsPerRound: number;
  readonly rounds: SimulationResult['rounds'];
  readonly failures: SimulationResult['failures'];
  readonly partition: { readonly sizes: readonly number[]; readonly classesPerClient: readonly number[] };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function buildReport(result: SimulationResult): FlReport {
  return {
    tool: 'weft fl',
    createdAt: new Date().toISOString(),
    machine: { node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown' },
    config: result.config,
    paramsHash: result.paramsHash,
    accuracy: result.accuracy,
    loss: result.loss,
    resumedFrom: result.resumedFrom,
    startup: result.startup,
    meanSecondsPerRound: mean(result.rounds.map((r) => r.seconds)),
    meanTrainSecondsPerRound: mean(result.rounds.map((r) => r.trainMs / 1000)),
    rounds: result.rounds,
    failures: result.failures,
    partition: { sizes: result.partition.sizes, classesPerClient: result.partition.classesPerClient },
  };
}

const CSV_COLUMNS = [
  'round',
  'accuracy',
  'loss',
  'trainLoss',
  'sampled',
  'trained',
  'dropped',
  'retries',
  'seconds',
  'trainMs',
  'aggregateMs',
  'evalMs',
  'computeMs',
  'criticalMs',
  'dispatchMs',
] as const;

/** One header line and one line per round; `dropped` lists client ids separated by spaces. */
export function toCsv(result: SimulationResult): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of result.rounds) {
    lines.push(
      CSV_COLUMNS.map((c) => {
        const v = r[c];
        if (v === null) return '';
        if (Array.isArray(v)) return v.join(' ');
        return typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v);
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `text` to `path` via a temporary file and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

export function writeJsonReport(path: string, result: SimulationResult): void {
  writeFileAtomic(path, `${JSON.stringify(buildReport(result), null, 2)}\n`);
}

export function writeCsvReport(path: string, result: SimulationResult): void {
  writeFileAtomic(path, toCsv(result));
}
