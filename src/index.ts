/**
 * weft: one typed executor over worker threads, child processes and inline, with shared memory
 * and the synchronisation primitives that make it safe. The FL simulator is at `weft/fl`.
 */
export * from './pool/index.js';
export * from './sync/index.js';
