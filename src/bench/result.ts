/**
 * What a study produces (the shape `results.json` holds), apart from the code that computes it: the runner fills it
 * and report/findings.ts adds the findings, so neither needs to import the other for its types.
 */
import type { MachineInfo } from './machine.js';
import type { BandwidthProbe } from './probe/bandwidth.js';
import type { PythonInfo } from './python/detect.js';
import type { CaseResult, SizeName } from './types.js';

/** How a claim fared. */
/**
 * `inconclusive`: the numbers were measured but cannot judge the claim (the machine was busy, a section was too
 * small to time, or a baseline is suspect); the evidence says why, and what the verdict would have been.
 */
export type Verdict = 'confirmed' | 'not confirmed' | 'mixed' | 'inconclusive' | 'not measured';

/** One claim with its verdict and the numbers behind it. */
export interface Finding {
  id: string;
  /** The claim, as the talk (or the study's target) states it. */
  claim: string;
  /** A numeric target of this study, when the claim has one. */
  target?: string;
  verdict: Verdict;
  /** The numbers from this run, in words. */
  evidence: string;
}

/** Everything a study measured. */
export interface StudyResult {
  schema: 'weft.bench/1';
  startedAt: string;
  durationMs: number;
  size: SizeName;
  repeat: number;
  workers: number[];
  machine: MachineInfo;
  python: PythonInfo;
  bandwidth?: BandwidthProbe;
  cases: CaseResult[];
  /** What was not run, and why, in plain words. */
  skipped: string[];
  /** The talk's claims checked against this run. */
  findings: Finding[];
}
