/**
 * A project outside the repository with weft in its node_modules, laid out as `npm install` leaves it: the built
 * `dist/` copied (so weft's own location is not the repository, whose node_modules has tsx), weft's dependencies
 * next to it, and tsx only when the test asks for it. Lets tests run what a user of the published package runs,
 * without packing and installing (which would build the addon and fetch packages).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface InstalledProject {
  /** The project's directory. */
  dir: string;
  /** The package name it imports weft by. */
  name: string;
  /** file: URL of the installed weft's main module. */
  weft: string;
  /** file: URL of the installed weft's CLI. */
  cli: string;
  /** Writes `files` (path relative to the project: contents) and returns their absolute paths. */
  write(files: Record<string, string>): string[];
  remove(): void;
}

/**
 * Makes the project; `tsx: true` installs tsx in it (the user's project, not weft, has it); `native: false` leaves
 * the addon out, as on a machine where it neither loads nor builds.
 */
export function installedProject(options: { tsx?: boolean; native?: boolean } = {}): InstalledProject {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('run `npm run build` first (npm test does)');
  const dir = mkdtempSync(join(tmpdir(), 'weft-user-'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
  const weftDir = join(dir, 'node_modules', pkg.name);
  mkdirSync(weftDir, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(weftDir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(weftDir, 'package.json'));
  // The addon as the install built it (process workers' doorbell, mapped memory); absent is fine too.
  if (options.native !== false && existsSync(join(ROOT, 'native'))) symlinkSync(join(ROOT, 'native'), join(weftDir, 'native'));
  const linked = [...Object.keys(pkg.dependencies ?? {}), ...(options.tsx ? ['tsx'] : [])];
  for (const name of linked) {
    const target = join(dir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), target);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  return {
    dir,
    name: pkg.name,
    weft: pathToFileURL(join(weftDir, 'dist', 'index.js')).href,
    cli: join(weftDir, 'dist', 'cli', 'main.js'),
    write(files) {
      return Object.entries(files).map(([name, text]) => {
        const file = join(dir, name);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
        return file;
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
