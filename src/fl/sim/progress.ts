/**
 * The live progress line of `weft fl`: on a terminal one line rewritten each round, elsewhere one line per round.
 * Failed clients get a line of their own either way, so they are never overwritten.
 */
import type { ClientFailure } from './events.js';
import type { RoundRecord } from './metrics.js';

function pct(x: number | null): string {
  return x === null ? '   -   ' : `${(100 * x).toFixed(2).padStart(6)}%`;
}

/** One round as text, e.g. `round  5/20  acc  86.31%  loss 0.4512  1.21 s  clients 10/10`. */
export function formatRound(record: RoundRecord, rounds: number): string {
  const width = String(rounds).length;
  const parts = [
    `round ${String(record.round).padStart(width)}/${rounds}`,
    `acc ${pct(record.accuracy)}`,
    `loss ${record.loss === null ? '  -   ' : record.loss.toFixed(4)}`,
    `${record.seconds.toFixed(2)} s (train ${(record.trainMs / 1000).toFixed(2)}, eval ${(record.evalMs / 1000).toFixed(2)})`,
    `clients ${record.trained}/${record.sampled}`,
  ];
  if (record.dropped.length > 0) parts.push(`dropped ${record.dropped.join(',')}`);
  if (record.retries > 0) parts.push(`retries ${record.retries}`);
  return parts.join('  ');
}

export function formatFailure(f: ClientFailure): string {
  return `round ${f.round}: client ${f.clientId} attempt ${f.attempt + 1} ${f.cause} (${f.action}): ${f.message}`;
}

export class ProgressLine {
  private readonly tty: boolean;
  private pending = false;
  private readonly started = Date.now();
  private done = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly rounds: number,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(record: RoundRecord, failures: readonly ClientFailure[]): void {
    if (failures.length > 0) {
      this.clear();
      for (const f of failures) this.stream.write(`${formatFailure(f)}\n`);
    }
    this.done++;
    const left = this.rounds - record.round;
    const perRound = (Date.now() - this.started) / 1000 / this.done;
    const eta = left > 0 ? `  eta ${Math.ceil(left * perRound)} s` : '';
    const line = formatRound(record, this.rounds) + eta;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.pending = true;
      if (record.round === this.rounds) this.finish();
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends a rewritten line so later output starts on a fresh one. */
  finish(): void {
    if (this.pending) this.stream.write('\n');
    this.pending = false;
  }

  private clear(): void {
    if (this.tty && this.pending) this.stream.write('\r\x1b[2K');
  }
}
