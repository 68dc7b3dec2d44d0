/**
 * The consumer test (scripts/consumer-test.mjs, run by .ci/run) installs the packed package into fresh
 * projects and runs the programs under scripts/consumer/ there. They are the README's examples:
 * each must equal the README code block marked `<!-- consumer: <path> -->`, so the README shows
 * what the consumer test runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

interface Comparison {
  file: string;
  status: 'same' | 'differs' | 'missing';
  detail: string;
}

const run = promisify(execFile);

describe('README examples run by the consumer test', async () => {
  // Exits 1 unless every program is the same as its block; the JSON says which.
  const { stdout } = await run(process.execPath, ['scripts/consumer-test.mjs', '--check-readme', '--json']).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '[]' }));
  const results = JSON.parse(stdout) as Comparison[];

  it('finds the programs', () => assert.ok(results.length > 0, 'no programs under scripts/consumer/'));
  for (const r of results) it(`${r.file} is the README's code block`, () => assert.equal(r.status, 'same', r.detail));
});
