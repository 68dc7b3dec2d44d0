/**
 * Loads a task module inside a worker and collects its exported functions.
 *
 * TypeScript task modules are the most common stumbling block of Node pools: a worker does not
 * inherit a loader that the parent registered in code. The import goes through
 * {@link importWithTypeScript}: Node's own type stripping where it has it, tsx where the module needs
 * more (or Node has no stripping) and tsx is installed, else a clear error.
 */
import { pathToFileURL } from 'node:url';
import { importWithTypeScript } from './typescript.js';

/** A task function as the runtime sees it. */
export type TaskFunction = (...args: unknown[]) => unknown;

/** Imports the module at `moduleUrl` and returns its exported functions by name. */
export async function loadTaskModule(moduleUrl: string): Promise<Map<string, TaskFunction>> {
  return collectTasks(await importWithTypeScript(moduleUrl));
}

/** The task functions of an imported module: its exported functions, or a CommonJS module's exports. */
export function collectTasks(mod: Record<string, unknown>): Map<string, TaskFunction> {
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
