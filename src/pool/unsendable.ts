/**
 * Explains why a task's arguments could not be sent: which argument, and what about it. Only
 * runs after a send already failed, so it may afford to serialise each argument on its own.
 */
import { serialize } from 'node:v8';
import type { BackendKind } from './backends/types.js';

export function describeUnsendable(payload: unknown[], isChunk: boolean, backend: BackendKind, error: unknown): [string, string] {
  const probe = backend === 'process' ? (value: unknown) => serialize(value) : (value: unknown) => structuredClone(value);
  for (let i = 0; i < payload.length; i++) {
    try {
      probe(payload[i]);
    } catch (cause) {
      const what = isChunk ? `item ${i} of the chunk` : `argument ${i + 1}`;
      return [`${what} (${kindOf(payload[i])})`, reason(cause)];
    }
  }
  return ['the arguments', reason(error)];
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${message} (functions, class instances with private state, sockets and promises cannot cross to a worker; send plain data)`;
}
