/** Number formatting shared by the terminal table, the HTML report and the findings. */
import type { Spread } from '../types.js';

/** Milliseconds with 3 significant digits: `152 ms`, `1.52 s`, `0.42 ms`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toPrecision(2)} ms`;
}

/** `152 ms (148–160)`: the median, then the range in the same unit. */
export function formatTime(s: Spread): string {
  if (s.median >= 1000) return `${(s.median / 1000).toPrecision(3)} s (${(s.min / 1000).toPrecision(3)}–${(s.max / 1000).toPrecision(3)})`;
  const digits = s.median >= 100 ? 0 : s.median >= 10 ? 1 : 2;
  return `${s.median.toFixed(digits)} ms (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** `1.95x (1.90–1.98)`. */
export function formatRatio(s: Spread, unit = 'x'): string {
  return `${s.median.toFixed(2)}${unit} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** Bytes as MB (1e6), no decimals. */
export function formatMb(bytes: number): string {
  return `${Math.round(bytes / 1e6).toLocaleString('en-US')} MB`;
}

/** 0.973 → `97%`. */
export function formatPercent(x: number, digits = 0): string {
  return `${(x * 100).toFixed(digits)}%`;
}
