/** The numeric TypedArray kinds that can live in shared memory, by name. */
export const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;

/** Name of a shareable TypedArray kind, e.g. 'Float64Array'. */
export type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** Constructor of a shareable TypedArray kind. */
export type TypedArrayConstructor = (typeof TYPED_ARRAYS)[TypedArrayName];

/** Any shareable TypedArray. */
export type SharedTypedArray = InstanceType<TypedArrayConstructor>;

/** The name of `array`'s kind, or undefined for DataView and non-arrays. */
export function typedArrayName(array: unknown): TypedArrayName | undefined {
  if (!ArrayBuffer.isView(array) || array instanceof DataView) return undefined;
  const name = (array as SharedTypedArray)[Symbol.toStringTag] as string;
  return name in TYPED_ARRAYS ? (name as TypedArrayName) : undefined;
}
