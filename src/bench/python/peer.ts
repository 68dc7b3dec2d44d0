/**
 * Runs a case's Python peer (`bench/python/<case>.py` through `peer.py`) as a long-lived child:
 * set up once, then one timed section per `run` request. The peer times itself with
 * `time.perf_counter()` around the same section the Node side times, so IPC is not counted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PrepareContext, Prepared } from '../types.js';

/** The folder of the Python peers: `bench/python/` at the package root (from src/ or dist/ alike). */
export const PEERS_DIR = fileURLToPath(new URL('../../../bench/python/', import.meta.url));

interface PeerMessage {
  ready?: boolean;
  value?: unknown;
  ms?: number;
  error?: string;
  trace?: string;
}

/**
 * Starts the peer for `caseName` and waits until it is set up. `env` adds to the peer's environment (the
 * PyTorch peer's BLAS folder and thread counts). `V` is what the case's `run` returns: a count, or the FL peer's
 * record.
 */
export async function preparePeer<V = number>(caseName: string, context: PrepareContext<unknown>, env: Record<string, string> = {}): Promise<Prepared<V>> {
  if (!context.python) throw new Error('no Python interpreter with numpy was found for the peers');
  const child: ChildProcessWithoutNullStreams = spawn(
    context.python,
    [`${PEERS_DIR}peer.py`, caseName, context.variant, String(context.workers), JSON.stringify(context.params)],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`python peer ${caseName}/${context.variant} exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`)),
    );
  });
  exited.catch(() => {}); // observed through next()
  const next = async (): Promise<PeerMessage> => {
    const line = await Promise.race([lines.next(), exited]);
    if (line.done) return exited;
    const message = JSON.parse(line.value) as PeerMessage;
    if (message.error) throw new Error(`python peer ${caseName}/${context.variant}: ${message.error}`);
    return message;
  };
  try {
    await next();
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    async run() {
      child.stdin.write('run\n');
      const message = await next();
      return { value: message.value as V, ms: message.ms! };
    },
    async dispose() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
