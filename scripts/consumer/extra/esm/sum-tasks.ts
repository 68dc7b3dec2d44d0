// sum-tasks.ts (the consumer test's own): the task the README's shared-memory example calls
export function sumSlice(array: Float64Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += array[i]!;
  return sum;
}
