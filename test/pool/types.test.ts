/**
 * The pool's types come from the task module's own signatures. The `@ts-expect-error` lines are
 * checked by `npm run typecheck` (part of `npm test`): if a wrong call ever type-checks, the
 * directive itself becomes an error. At run time the calls are also exercised.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { makePool, rejectionOf } from '../helpers/pool.js';

it('calls are typed from the task module', async () => {
  await using pool = makePool('inline');
  const sum: number = await pool.call.add(1, 2);
  const big: bigint = await pool.call.factorial(5);
  const array: Float64Array = await pool.call.makeArray(3); // transfer() is unwrapped in the type
  const mapped: number[] = await pool.map('square', [1, 2]);
  assert.deepEqual([sum, big, array.length, mapped], [3, 120n, 3, [1, 4]]);

  // @ts-expect-error: wrong argument type
  await rejectionOf(pool.call.add('1', 2).then(() => Promise.reject(new Error('typed away'))));
  // @ts-expect-error: missing argument
  void pool.call.square().catch(() => {});
  // @ts-expect-error: no such task
  assert.equal(typeof pool.call.nope, 'function');
  // @ts-expect-error: submit checks names and argument tuples too
  void pool.submit('add', [1]).catch(() => {});
  // @ts-expect-error: map items must match the task's first parameter
  void pool.map('square', ['x']).catch(() => {});
  // @ts-expect-error: the result type is the task's return type
  const wrong: string = await pool.call.add(1, 1);
  void wrong;
});
