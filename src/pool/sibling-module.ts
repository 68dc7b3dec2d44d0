/**
 * The URL of a module beside another, in that module's own flavour: under tsx the sources run from
 * `src/` as `.ts`, compiled they run from `dist/` as `.js`, and only one of the two exists.
 * @example siblingModule('../worker/thread-entry', import.meta.url)
 */
export function siblingModule(path: string, base: string): URL {
  return new URL(`${path}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}
