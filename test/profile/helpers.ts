/** Shared bits of the profile tests: the fixture module and a temporary output directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HOT_TASKS = new URL('./fixtures/hot-tasks.ts', import.meta.url);

/** Runs `body` with a fresh directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-profile-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
