/**
 * Names of the seeded random streams of a simulation. Every stream is `Rng.derive(seed, ...path)`; the path
 * lengths and tags keep them apart (a client's stream is `(seed, clientId, round)`, a two-element path, so it
 * never collides with these one- or three-element ones).
 */

/** Initial global model: `Rng.derive(seed, INIT_STREAM)`. */
export const INIT_STREAM = 0x1417;
/** Partition of the training set over clients. */
export const PARTITION_STREAM = 0x9a27;
/** The server's own stream (client sampling); its state is checkpointed. */
export const SERVER_STREAM = 0x5e7e;
/** Injected faults: `Rng.derive(seed, FAULT_STREAM, clientId, round)`. */
export const FAULT_STREAM = 0xfa17;
