/** The FL report's HTML tables: the configuration, one row per round, and the failed client attempts. */
import { esc } from '../../../report/escape.js';
import { table } from '../../../report/table.js';
import type { FlReport } from '../report.js';

function settingValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '–' : value.join(', ');
  return String(value);
}

/** Every setting of the run, nested ones (the fault injection) flattened to `faults.kind` and so on. */
export function configTable(config: FlReport['config']): string {
  const rows: string[][] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value as Record<string, unknown>)) rows.push([`<code>${esc(`${key}.${inner}`)}</code>`, esc(settingValue(v))]);
    } else {
      rows.push([`<code>${esc(key)}</code>`, esc(settingValue(value))]);
    }
  }
  return table(['setting', 'value'], rows, 'config');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** One row per round: metrics, clients, and where the round's time went (seconds). */
export function roundsTable(rounds: FlReport['rounds']): string {
  const head = ['round', 'accuracy', 'loss', 'train loss', 'clients trained / sampled', 'dropped', 'retries', 'round (s)', 'train', 'aggregate', 'eval', 'compute (sum)', 'critical', 'dispatch'];
  const rows = rounds.map((r) => [
    String(r.round),
    r.accuracy === null ? '–' : `${(100 * r.accuracy).toFixed(2)}%`,
    r.loss === null ? '–' : r.loss.toFixed(4),
    r.trainLoss.toFixed(4),
    `${r.trained} / ${r.sampled}`,
    r.dropped.length === 0 ? '–' : `<span class="bad">${esc(r.dropped.join(', '))}</span>`,
    String(r.retries),
    r.seconds.toFixed(3),
    seconds(r.trainMs),
    seconds(r.aggregateMs),
    seconds(r.evalMs),
    seconds(r.computeMs),
    seconds(r.criticalMs),
    seconds(r.dispatchMs),
  ]);
  return table(head, rows, 'rounds');
}

/** The failed client attempts, or a line saying there were none. */
export function failuresSection(failures: FlReport['failures']): string {
  if (failures.length === 0) return '<p class="good">No client attempt failed.</p>';
  const dropped = failures.filter((f) => f.action === 'dropped').length;
  const rows = failures.map((f) => [
    String(f.round),
    String(f.clientId),
    String(f.attempt),
    esc(f.cause),
    f.action === 'dropped' ? '<span class="bad">dropped</span>' : 'retried',
    esc(f.message),
  ]);
  return `<p>${failures.length} failed attempt${failures.length === 1 ? '' : 's'}: ${dropped} dropped, ${failures.length - dropped} retried.</p>${table(['round', 'client', 'attempt', 'cause', 'action', 'message'], rows, 'failures')}`;
}
