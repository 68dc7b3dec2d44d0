/** Turning command-line words into study options, with errors that say what was expected. */
import { availableParallelism } from 'node:os';
import { resolveWorkers } from '../pool/options.js';
import { CASES, findCase } from './cases/index.js';
import type { AnyCase } from './types.js';
import { isVariantName, VARIANT_NAMES, VARIANTS, type VariantName } from './variants.js';

/** Powers of two up to the CPU count, and the CPU count itself (so the targets' W = cores is measured). */
export function defaultWorkers(cores: number = availableParallelism()): number[] {
  const counts: number[] = [];
  for (let w = 1; w <= cores; w *= 2) counts.push(w);
  if (counts[counts.length - 1] !== cores) counts.push(cores);
  return counts;
}

/** The study's own ceiling on a worker count (below the pool's MAX_WORKERS). */
const MAX_STUDY_WORKERS = 256;

/** `'1,2,4'` → `[1, 2, 4]`, sorted and deduplicated. Counts above the core count are allowed. */
export function parseWorkers(text: string): number[] {
  const counts = text.split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  const fail = (): never => {
    throw new Error(`--workers expects a comma-separated list of integers from 1 to ${MAX_STUDY_WORKERS}, got '${text}'`);
  };
  if (counts.length === 0) fail();
  for (const w of counts) resolveWorkers(w, false, fail, MAX_STUDY_WORKERS);
  return [...new Set(counts)].sort((a, b) => a - b);
}

/** `'thread,process'` → variant names; `python` stands for every Python peer. */
export function parseVariants(text: string): VariantName[] {
  const out = new Set<VariantName>();
  for (const word of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (word === 'python') {
      for (const v of VARIANT_NAMES) if (VARIANTS[v].runtime === 'python') out.add(v);
    } else if (isVariantName(word)) out.add(word);
    else throw new Error(`unknown variant '${word}'; expected some of: ${VARIANT_NAMES.join(', ')}, or 'python'`);
  }
  // The sequential series is every speedup's baseline.
  if (out.size > 0) out.add('sequential');
  return [...out];
}

/** Case names → cases (all when none given). */
export function selectCases(names: readonly string[]): AnyCase[] {
  if (names.length === 0) return [...CASES];
  return names.map((name) => {
    const found = findCase(name);
    if (!found) throw new Error(`unknown case '${name}'; expected some of: ${CASES.map((c) => c.name).join(', ')}`);
    return found;
  });
}

/** A positive integer flag. */
export function parsePositive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} expects a positive integer, got '${text}'`);
  return n;
}
