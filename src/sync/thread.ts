/**
 * Starts a worker thread on a module of this package, whether it runs compiled (`.js`) or from
 * source under tsx (`.ts`).
 *
 * tsx's loader, inherited through `--import`, does not reach worker threads on Node 20 (the
 * worker fails with "Unknown file extension .ts"), so a `.ts` module is loaded through a small
 * bootstrap that registers tsx inside the worker first.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A Worker running the module at `url`. */
export function startThread(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const code =
    `import(${JSON.stringify(api)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}
