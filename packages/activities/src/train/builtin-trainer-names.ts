import { LOGISTIC_REGRESSION } from './trainers/logistic-regression/name.js';

/**
 * The names of the built-in trainers (the keys of `builtinTrainers`), for settings that may not reuse them,
 * without loading the trainers themselves. A unit test keeps the two in step.
 */
export const BUILTIN_TRAINER_NAMES: readonly string[] = Object.freeze([LOGISTIC_REGRESSION]);
