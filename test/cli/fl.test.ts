import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/fl.js';
import { FL_CLI } from '../fl/sim/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'weft-fl-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Parses `weft fl <args>` without running it; returns commander's error output (empty when accepted). */
function parseError(args: string[]): string {
  const program = new Command('weft').exitOverride();
  let output = '';
  program.configureOutput({ writeErr: (s) => (output += s), writeOut: () => {} });
  register(program);
  const fl = program.commands.find((c) => c.name() === 'fl')!;
  fl.exitOverride().configureOutput({ writeErr: (s) => (output += s), writeOut: () => {} });
  fl.action(() => {});
  try {
    program.parse(['node', 'weft', 'fl', ...args]);
  } catch {
    // exitOverride turns commander's exit into a throw; the message is in `output`.
  }
  return output;
}

function weftFl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(FL_CLI), 'fl', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('weft fl: command line', () => {
  it('bad flag values are refused with the flag and what it accepts', () => {
    const cases: [string[], RegExp][] = [
      [['--model', 'resnet'], /--model <name>.*'resnet' is invalid.*mlp, cnn/],
      [['--partition', 'zipf'], /--partition <kind>.*iid, shards, dirichlet/],
      [['--algorithm', 'fedsgd'], /--algorithm <name>.*fedavg, fedprox, fedavgm, fedadam/],
      [['--backend', 'gpu'], /--backend <kind>.*sequential, thread, process/],
      [['--fraction', '1.5'], /--fraction <c>.*'1.5' is invalid.*\(0, 1\]/],
      [['--clients', '0'], /--clients <n>.*integer >= 1/],
      [['--clients', '2.5'], /--clients <n>.*integer >= 1/],
      [['--lr', '-1'], /--lr <lr>.*positive number/],
      [['--alpha', 'abc'], /--alpha <a>.*positive number/],
      [['--workers', 'two'], /--workers <w>.*integer >= 1/],
      [['--momentum', '1'], /--momentum <m>.*\[0, 1\)/],
      [['--fail-clients', '1,x'], /--fail-clients <ids>.*comma-separated client ids/],
      [['--fail-prob', '2'], /--fail-prob <p>.*probability/],
    ];
    for (const [args, pattern] of cases) assert.match(parseError(args), pattern, args.join(' '));
    assert.equal(parseError(['--model', 'cnn', '--fraction', '0.2', '--backend', 'process', '--workers', '2']), '');
  });

  it('settings that conflict are refused before anything runs, naming the flag', () => {
    const seqWorkers = weftFl(['--backend', 'sequential', '--workers', '3']);
    assert.equal(seqWorkers.status, 1);
    assert.match(seqWorkers.stderr, /option '--workers'.*sequential/);
    const resume = weftFl(['--resume']);
    assert.match(resume.stderr, /'--resume' needs '--checkpoint <dir>'/);
    const ids = weftFl(['--clients', '10', '--fail-clients', '12']);
    assert.match(ids.stderr, /option '--fail-clients'.*0 to 9.*12/);
    const hang = weftFl(['--backend', 'thread', '--fail-clients', '1', '--fail-kind', 'hang']);
    assert.match(hang.stderr, /option '--client-timeout'/);
  });

  it('runs, prints a summary, and writes the JSON and CSV reports', () => {
    const json = join(root, 'run.json');
    const csv = join(root, 'run.csv');
    const run = weftFl(['--clients', '6', '--fraction', '0.5', '--rounds', '2', '--train-limit', '1200', '--test-limit', '300',
      '--fail-clients', '0,1,2,3,4,5', '--fail-prob', '0', '--retries', '1', '--fail-attempts', '1', '--json', json, '--csv', csv]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /accuracy \d+\.\d\d%/);
    assert.match(run.stdout, /paramsHash [0-9a-f]{64}/);
    assert.match(run.stderr, /partition iid:/);
    assert.match(run.stderr, /round 1\/2 .*acc/);
    assert.match(run.stderr, /client \d attempt 1 threw \(retried\): .*injected failure/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(report.config.rounds, 2);
    assert.equal(report.config.batchSize, 10);
    assert.equal(report.rounds.length, 2);
    assert.ok(report.rounds.every((r: { accuracy: number; loss: number; seconds: number }) => r.accuracy > 0 && r.loss > 0 && r.seconds > 0));
    assert.equal(report.failures.length, 6);
    assert.equal(run.stdout.match(/paramsHash ([0-9a-f]{64})/)![1], report.paramsHash);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^round,accuracy,loss,trainLoss,sampled,trained,dropped,retries,seconds/);
    assert.match(lines[1], /^1,0\.\d+,/);
  });

  it('a damaged checkpoint is refused on --resume with what is wrong, exit 1, and no usage hint', () => {
    const dir = join(root, 'ckpt');
    const small = ['--clients', '4', '--fraction', '0.5', '--train-limit', '800', '--test-limit', '200', '--quiet', '--checkpoint', dir];
    assert.equal(weftFl([...small, '--rounds', '1']).status, 0);
    const file = join(dir, 'checkpoint.wfl');
    const bytes = readFileSync(file);
    bytes[40] ^= 1; // a bit of the JSON header
    writeFileSync(file, bytes);
    const run = weftFl([...small, '--rounds', '2', '--resume']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^weft fl: checkpoint .*checkpoint\.wfl: damaged: checksum mismatch/m);
    assert.doesNotMatch(run.stderr, /--help/);
  });
});
