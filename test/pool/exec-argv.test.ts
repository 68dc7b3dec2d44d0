import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { inheritedExecArgv, inheritedThreadExecArgv } from '../../src/pool/backends/exec-argv.js';

describe('the Node flags workers inherit', () => {
  const original = process.execArgv;
  afterEach(() => {
    process.execArgv = original;
  });

  it('drops parent-only flags with their values, given as the next argument or after =', () => {
    process.execArgv = ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir=prof', '--max-old-space-size', '512', '--import', 'tsx', '--test-timeout', '100'];
    assert.deepEqual(inheritedExecArgv(), ['--max-old-space-size', '512', '--import', 'tsx']);
    assert.deepEqual(inheritedThreadExecArgv(), ['--import', 'tsx']);
  });

  it("drops the parent's own script given with -pe", () => {
    process.execArgv = ['-pe', 'process.version', '--no-warnings'];
    assert.deepEqual(inheritedExecArgv(), ['--no-warnings']);
  });

  it('keeps a value that starts with a dash for the flags known to take one', () => {
    process.execArgv = ['--title', '-weft-', '--no-warnings', '--stack-size=900'];
    assert.deepEqual(inheritedExecArgv(), ['--title', '-weft-', '--no-warnings', '--stack-size=900']);
  });
});
