/**
 * FL across machines: clients trained by `weft worker --fl` processes through Redis give the same final
 * parameters, bit for bit (SHA-256), as the thread backend for the same seed and settings, through
 * `runSimulation` and through `weft fl --backend cluster`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runSimulation } from '../../src/fl/sim/index.js';
import { SMALL, FL_CLI } from '../fl/sim/helpers.js';
import { noRedis, RedisServer, WorkerProcess } from './helpers.js';

const TSX = import.meta.resolve('tsx');

describe('FL on the cluster backend', { skip: noRedis }, () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  before(async () => {
    redis = await RedisServer.start();
    workers.push(...(await Promise.all([WorkerProcess.start(redis.url, ['--fl']), WorkerProcess.start(redis.url, ['--fl', '--backend', 'process'])])));
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis.stop();
  });

  it('trains to the same bits as the thread backend (runSimulation)', async () => {
    const config = { ...SMALL, algorithm: 'fedavgm' as const, rounds: 3 };
    const threads = await runSimulation({ config: { ...config, backend: 'thread', workers: 2 } });
    const cluster = await runSimulation({ config: { ...config, backend: 'cluster', workers: 4 }, cluster: { connection: redis.url } });
    assert.equal(cluster.paramsHash, threads.paramsHash);
    assert.equal(cluster.accuracy, threads.accuracy);
    assert.equal(cluster.rounds.length, 3);
    assert.equal(cluster.config.backend, 'cluster');
  });

  it('weft fl --backend cluster --connection prints the same hash as --backend thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-fl-cluster-'));
    try {
      const common = ['fl', '--clients', '8', '--fraction', '0.5', '--rounds', '2', '--train-limit', '1600', '--test-limit', '500', '--seed', '7', '--quiet'];
      const run = promisify(execFile);
      const cli = fileURLToPath(FL_CLI);
      await run(process.execPath, ['--import', TSX, cli, ...common, '--backend', 'thread', '--workers', '2', '--json', join(dir, 'thread.json')]);
      await run(process.execPath, ['--import', TSX, cli, ...common, '--backend', 'cluster', '--connection', redis.url, '--json', join(dir, 'cluster.json')]);
      const hash = (name: string) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { paramsHash: string }).paramsHash;
      assert.match(hash('thread.json'), /^[0-9a-f]{64}$/);
      assert.equal(hash('cluster.json'), hash('thread.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
