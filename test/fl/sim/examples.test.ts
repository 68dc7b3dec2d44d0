/** docs/fl.md quotes these examples: they must run as written and show what they claim. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function example(file: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], { timeout: 120_000 });
  return stdout;
}

describe('fl examples', () => {
  it('fl-fedavg: the same hash on sequential, thread and process', async () => {
    const lines = (await example('fl-fedavg.ts', '2')).trim().split('\n');
    assert.equal(lines.length, 3);
    const hashes = lines.map((l) => l.match(/paramsHash ([0-9a-f]{16})/)![1]);
    assert.equal(new Set(hashes).size, 1, lines.join('\n'));
  });

  it('fl-custom: a custom server handler and client trainer module run on processes', async () => {
    const out = await example('fl-custom.ts', 'process');
    assert.match(out, /FedMedian \+ clipped updates on process: accuracy (\d+\.\d%\s?){4}/);
  });
});
