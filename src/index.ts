/** weft: the public API. */
export * from './pool/index.js';
