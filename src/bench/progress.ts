/**
 * The live view while the study runs: a progress bar over every timed run (on a terminal), or
 * one line per series (in a log).
 */
import cliProgress from 'cli-progress';
import type { StudyEvent } from './runner.js';

/** Returns an event handler that draws progress on `stream`, and a function to close the view. */
export function progressView(stream: NodeJS.WriteStream = process.stderr, live = stream.isTTY === true): { onEvent: (e: StudyEvent) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  let total = 0;
  const log = (line: string): void => {
    if (bar) bar.stop();
    stream.write(`${line}\n`);
    if (bar) {
      bar = undefined;
      start();
    }
  };
  const start = (): void => {
    if (!live) return;
    bar = new cliProgress.SingleBar(
      { stream, format: ' {bar} {value}/{total} runs · {what}', hideCursor: true, clearOnComplete: true, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, done, { what: '' });
  };
  return {
    onEvent(e) {
      switch (e.kind) {
        case 'plan':
          total = e.runs;
          start();
          break;
        case 'probe':
          if (bar) bar.update(done, { what: `memory bandwidth probe, ${e.workers} thread(s)` });
          else stream.write(`probe: memory bandwidth on ${e.workers} thread(s)\n`);
          break;
        case 'series':
          if (bar) bar.update(done, { what: `${e.case} · ${e.label} · W=${e.workers}` });
          else stream.write(`${e.case} · ${e.label} · W=${e.workers}\n`);
          break;
        case 'run':
          done++;
          bar?.update(done, { what: `${e.case} · ${e.label} · W=${e.workers} · ${e.ms.toFixed(1)} ms${e.ok ? '' : ' WRONG'}` });
          break;
        case 'error':
          log(`error in ${e.case} · ${e.label} · W=${e.workers}: ${e.message}`);
          break;
        case 'skip':
          log(e.message);
          break;
        case 'busy':
          total += e.runs;
          bar?.setTotal(total);
          log(`busy machine: other processes took ${e.cores.toFixed(2)} cores during ${e.case} · ${e.label} · W=${e.workers}; ${e.runs > 0 ? 'running it again' : 'marked busy'}`);
          break;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
