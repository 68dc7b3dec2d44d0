// Errors raised by shared memory belong to weft's family: WeftError with a stable code, and a
// message that names the function, the argument and the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedArray, SharedArgumentError, SharedErrorCode, NativeUnavailableError } from '../../src/shared/index.js';
import { WeftError } from '../../src/shared/errors.js';

function invalid(argument: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SharedArgumentError, `got ${String(err)}`);
    assert.ok(err instanceof WeftError);
    assert.equal(err.code, SharedErrorCode.InvalidArgument);
    assert.equal(err.name, 'SharedArgumentError');
    assert.equal(err.operation, 'sharedArray');
    assert.equal(err.argument, argument);
    assert.match(err.message, message);
    return true;
  };
}

test('sharedArray refuses bad arguments with SharedArgumentError naming the argument and value', () => {
  assert.throws(() => sharedArray(Array as never, 1), invalid('type', /type must be a numeric TypedArray constructor .*got Array/));
  assert.throws(() => sharedArray(DataView as never, 1), invalid('type', /got DataView/));
  assert.throws(() => sharedArray(Float64Array, -1), invalid('length', /length must be a non-negative integer, got -1/));
  assert.throws(() => sharedArray(Float64Array, 1.5), invalid('length', /got 1.5/));
  assert.throws(() => sharedArray(Float64Array, 1, { placement: 'disk' as never }), invalid('options.placement', /must be 'memory' or 'mapped', got disk/));
  class Sub extends Float64Array {}
  assert.equal(sharedArray(Sub, 2).length, 2); // subclasses of the numeric kinds still work
});

test('NativeUnavailableError is a WeftError with its stable code and its reason', () => {
  const err = new NativeUnavailableError('no compiler');
  assert.ok(err instanceof WeftError && err instanceof Error);
  assert.equal(err.code, 'WEFT_NATIVE_UNAVAILABLE');
  assert.equal(err.name, 'NativeUnavailableError');
  assert.equal(err.reason, 'no compiler');
  assert.match(err.message, /native addon, which is not available: no compiler/);
});
