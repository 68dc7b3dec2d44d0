/** The FL models by name. */
import { createCnn, type CnnOptions } from './cnn.js';
import { createMlp, type MlpOptions } from './mlp.js';
import type { Model } from './types.js';
import { FlArgumentError } from '../errors.js';

export { createCnn, createMlp };
export type { CnnOptions, MlpOptions };
export type { EvalResult, FloatArray, FloatArrayCtor, Model, ParamBlock } from './types.js';

/** Names accepted by {@link createModel}. */
export const MODEL_NAMES = ['mlp', 'cnn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Creates the FedAvg paper's MNIST model of that name. */
export function createModel(name: ModelName): Model {
  switch (name) {
    case 'mlp':
      return createMlp();
    case 'cnn':
      return createCnn();
    default:
      throw new FlArgumentError(`unknown model '${String(name)}'; expected one of ${MODEL_NAMES.join(', ')}`);
  }
}
