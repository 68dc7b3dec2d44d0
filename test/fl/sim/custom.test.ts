import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createFedServer, runSimulation, sampleWithoutReplacement, type ServerFactory } from '../../../src/fl/index.js';
import { SMALL } from './helpers.js';

describe('fl simulator: custom protocols', () => {
  it('a custom client trainer module runs on every backend; an uplink outside its slot is copied in', async () => {
    const builtIn = await runSimulation({ config: SMALL });
    const trainerModule = new URL('./fixtures/copying-trainer.ts', import.meta.url);
    for (const backend of ['sequential', 'thread', 'process'] as const) {
      const result = await runSimulation({ config: { ...SMALL, backend, workers: backend === 'sequential' ? 1 : 2 }, trainerModule });
      assert.equal(result.paramsHash, builtIn.paramsHash, backend);
      assert.ok(result.rounds.every((r) => r.copyMs > 0), 'the copies are measured');
    }
  });

  it('a custom server handler may sample more clients than the fraction gives', async () => {
    const server: ServerFactory = (env) => {
      const base = createFedServer(env);
      return Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
        sampleClients: () => sampleWithoutReplacement(env.config.clients, 6, env.rng),
      });
    };
    const result = await runSimulation({ config: { ...SMALL, backend: 'thread', workers: 2 }, server });
    assert.ok(result.rounds.every((r) => r.sampled === 6 && r.trained === 6));
    const again = await runSimulation({ config: SMALL, server });
    assert.equal(again.paramsHash, result.paramsHash);
  });
});
