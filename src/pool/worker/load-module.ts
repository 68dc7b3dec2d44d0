/**
 * Loads a task module inside a worker and collects its exported functions.
 *
 * TypeScript task modules are the most common stumbling block of Node pools: a worker does not
 * inherit a loader that the parent registered in code. A worker first tries a plain import (which
 * works when a loader is active through execArgv, or the file is JavaScript); if Node rejects the
 * `.ts` extension, it registers tsx's loader itself, when tsx is installed, and tries again.
 */
import { pathToFileURL } from 'node:url';

/** A task function as the runtime sees it. */
export type TaskFunction = (...args: unknown[]) => unknown;

const TS_EXTENSION = /\.(ts|mts|cts|tsx)$/;

/** Imports the module at `moduleUrl` and returns its exported functions by name. */
export async function loadTaskModule(moduleUrl: string): Promise<Map<string, TaskFunction>> {
  const mod = await importWithTypeScriptFallback(moduleUrl);
  return collectTasks(mod);
}

async function importWithTypeScriptFallback(moduleUrl: string): Promise<Record<string, unknown>> {
  try {
    return await import(moduleUrl);
  } catch (error) {
    if (!TS_EXTENSION.test(new URL(moduleUrl).pathname) || !isUnknownExtension(error)) throw error;
    await registerTypeScriptLoader(moduleUrl);
    // Node remembers the failed import of this exact URL; a query makes it a fresh one.
    const retry = new URL(moduleUrl);
    retry.searchParams.set('weft-ts', '1');
    return await import(retry.href);
  }
}

function isUnknownExtension(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_UNSUPPORTED_ESM_URL_SCHEME';
}

async function registerTypeScriptLoader(moduleUrl: string): Promise<void> {
  let api: { register: () => unknown };
  try {
    api = (await import('tsx/esm/api')) as { register: () => unknown };
  } catch {
    throw new Error(
      `${moduleUrl} is a TypeScript file and no TypeScript loader is active in the worker. ` +
        `Run the parent with tsx (\`npx tsx main.ts\` or \`node --import tsx main.ts\`), install tsx next to weft ` +
        `so workers can register it, or point the pool at the compiled .js file.`,
    );
  }
  api.register();
}

function collectTasks(mod: Record<string, unknown>): Map<string, TaskFunction> {
  const tasks = new Map<string, TaskFunction>();
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value === 'function' && name !== 'default') tasks.set(name, value as TaskFunction);
  }
  const fallback = mod.default;
  if (typeof fallback === 'function') {
    tasks.set('default', fallback as TaskFunction);
  } else if (tasks.size === 0 && fallback && typeof fallback === 'object') {
    // A CommonJS module imported from ESM exposes its exports as `default`.
    for (const [name, value] of Object.entries(fallback)) {
      if (typeof value === 'function') tasks.set(name, value as TaskFunction);
    }
  }
  return tasks;
}

/** Normalises a module given as a path, file URL string or URL object to a file URL string. */
export function toModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  return pathToFileURL(module).href;
}
