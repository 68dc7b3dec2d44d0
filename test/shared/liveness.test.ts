// Liveness tokens: stable per thread, distinct between threads and processes, alive while their
// thread runs and dead once it ends, is terminated or its process is SIGKILLed; a reused slot
// never brings an old token back to life.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfToken, tokenLiveness } from '../../src/shared/liveness.js';
import { ADDON_DIR } from '../../src/shared/native.js';

const LOAD = `const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});`;

/** A worker thread that posts its token (twice, to show it is stable), then waits to be told to end. */
function tokenWorker(): { worker: Worker; token: Promise<number> } {
  const worker = new Worker(
    `${LOAD}
     const { parentPort } = require('node:worker_threads');
     const t = addon.liveToken();
     parentPort.postMessage(addon.liveToken() === t ? t : -1);
     parentPort.on('message', () => process.exit(0));`,
    { eval: true },
  );
  const token = once(worker, 'message').then(([t]) => t as number);
  return { worker, token };
}

/** Polls until `token` reads `want` (the kernel drops a lock as the fd closes: no wait is expected). */
async function until(token: number, want: 'dead' | 'alive', ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (tokenLiveness(token) !== want && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
  assert.equal(tokenLiveness(token), want);
}

test('a token is a positive Int32, stable in its thread, and its own thread reads alive', () => {
  const t = selfToken();
  assert.ok(Number.isInteger(t) && t > 0 && t <= 0x7fffffff, `token ${t}`);
  assert.equal(selfToken(), t);
  assert.equal(tokenLiveness(t), 'alive');
  assert.equal(tokenLiveness(0), 'unknown');
  assert.equal(tokenLiveness(-5), 'unknown'); // not a token weft makes
});

test('worker threads have tokens of their own, alive while they run, dead after they end', async () => {
  const a = tokenWorker();
  const b = tokenWorker();
  const [ta, tb] = await Promise.all([a.token, b.token]);
  assert.ok(ta > 0 && tb > 0);
  assert.equal(new Set([ta, tb, selfToken()]).size, 3);
  assert.equal(tokenLiveness(ta), 'alive');
  assert.equal(tokenLiveness(tb), 'alive');

  a.worker.postMessage('end'); // process.exit() inside a worker ends that thread only
  await once(a.worker, 'exit');
  await until(ta, 'dead');
  assert.equal(tokenLiveness(tb), 'alive');

  await b.worker.terminate();
  await until(tb, 'dead');
  assert.equal(tokenLiveness(selfToken()), 'alive');
});

test('a worker thread sees the main thread and other workers alive (checks go both ways)', async () => {
  const a = tokenWorker();
  const ta = await a.token;
  const checker = new Worker(
    `${LOAD}
     const { workerData, parentPort } = require('node:worker_threads');
     addon.liveToken(); // a checker with a slot of its own must still see the others' locks
     parentPort.postMessage(workerData.map((t) => addon.liveCheck(t)));`,
    { eval: true, workerData: [selfToken(), ta] },
  );
  const [seen] = await once(checker, 'message');
  assert.deepEqual(seen, [1, 1]);
  await a.worker.terminate();
});

test('a process token is alive while it runs and dead once it is SIGKILLed', async () => {
  const child = spawn(process.execPath, ['-e', `${LOAD} console.log(addon.liveToken()); setInterval(() => {}, 1000);`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const t = Number(line.toString().trim());
    assert.ok(t > 0);
    assert.notEqual(t, selfToken());
    assert.equal(tokenLiveness(t), 'alive');
    child.kill('SIGKILL');
    await once(child, 'exit');
    await until(t, 'dead');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a reused slot does not bring the old token back to life', () => {
  // Two slots in a private liveness file: the main thread takes one, so every worker takes the
  // other, and the second worker's slot is the first one's.
  const dir = mkdtempSync(join(tmpdir(), 'weft-live-'));
  try {
    const program = `${LOAD}
      const { Worker } = require('node:worker_threads');
      const mine = addon.liveToken();
      const worker = () => new Promise((resolve) => {
        const w = new Worker(${JSON.stringify(`${LOAD} require('node:worker_threads').parentPort.postMessage(addon.liveToken()); setTimeout(() => {}, 60000);`)}, { eval: true });
        w.once('message', (t) => resolve({ w, t }));
      });
      (async () => {
        const first = await worker();
        await first.w.terminate();
        const second = await worker();
        const out = { mine, first: first.t, second: second.t,
          firstNow: addon.liveCheck(first.t), secondNow: addon.liveCheck(second.t) };
        await second.w.terminate();
        out.secondAfter = addon.liveCheck(second.t);
        console.log(JSON.stringify(out));
      })();`;
    const run = spawnSync(process.execPath, ['-e', program], {
      env: { ...process.env, WEFT_LIVE_DIR: dir, WEFT_LIVE_SLOTS: '2' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout) as Record<string, number>;
    const slot = (t: number) => t & 0xffff;
    assert.notEqual(slot(r.first), slot(r.mine));
    assert.equal(slot(r.second), slot(r.first), 'the second worker reuses the first one\'s slot');
    assert.notEqual(r.second, r.first);
    assert.equal(r.firstNow, 0, 'the old token stays dead while its slot has a live holder');
    assert.equal(r.secondNow, 1);
    assert.equal(r.secondAfter, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a liveness file planted by someone else is refused: no token, every check unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-live-'));
  try {
    // A group-writable file under our name is what another user could plant in /dev/shm.
    const run = spawnSync(
      process.execPath,
      ['-e', `require('fs').writeFileSync(process.env.WEFT_LIVE_DIR + '/weft-live-v1-' + process.geteuid(), '', { mode: 0o666 });
              require('fs').chmodSync(process.env.WEFT_LIVE_DIR + '/weft-live-v1-' + process.geteuid(), 0o666);
              ${LOAD}
              let code; try { addon.liveToken(); } catch (e) { code = e.code; }
              console.log(JSON.stringify({ code, check: addon.liveCheck(65537) }));`],
      { env: { ...process.env, WEFT_LIVE_DIR: dir }, encoding: 'utf8', timeout: 15_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { code: 'EACCES', check: -1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a liveness file removed and made again under live processes: no token reads dead by mistake', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-live-'));
  const env = { ...process.env, WEFT_LIVE_DIR: dir };
  // Each child takes a token on its main thread and on `threads` worker threads, prints the last
  // one taken, then answers each line (a token) with its check of that token.
  const program = (threads: number) => `${LOAD}
    const { Worker } = require('node:worker_threads');
    let last = addon.liveToken();
    (async () => {
      for (let i = 0; i < ${threads}; i++) {
        const w = new Worker(${JSON.stringify(`${LOAD} require('node:worker_threads').parentPort.postMessage(addon.liveToken()); setInterval(() => {}, 1000);`)}, { eval: true });
        last = await new Promise((resolve) => w.once('message', resolve));
        w.unref();
      }
      console.log(last);
      require('node:readline').createInterface({ input: process.stdin }).on('line', (t) => console.log(addon.liveCheck(Number(t))));
    })();`;
  const start = async (threads: number) => {
    const child = spawn(process.execPath, ['-e', program(threads)], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = (async function* () {
      let buffered = '';
      for await (const chunk of child.stdout!) {
        buffered += chunk;
        let i;
        while ((i = buffered.indexOf('\n')) >= 0) {
          yield buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
        }
      }
    })();
    const next = async () => Number((await lines.next()).value);
    return { child, token: await next(), ask: async (t: number) => (child.stdin!.write(`${t}\n`), next()) };
  };
  const old = await start(1); // tokens in slots 1 and 2 of the first file
  try {
    rmSync(join(dir, `weft-live-v1-${process.geteuid!()}`)); // as a /dev/shm cleaner or systemd's RemoveIPC would
    const fresh = await start(2); // a new file: slots 1, 2 and 3, the first two with the old tokens' values
    try {
      assert.equal(old.token & 0xffff, 2);
      assert.equal(fresh.token & 0xffff, 3);
      assert.equal(await old.ask(old.token), 1);
      assert.notEqual(await fresh.ask(old.token + 1), 0, 'a slot never taken in this file says nothing');
      assert.notEqual(await old.ask(fresh.token), 0, 'the old file must not call a holder of the new one dead');
    } finally {
      fresh.child.kill('SIGKILL');
    }
  } finally {
    old.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
