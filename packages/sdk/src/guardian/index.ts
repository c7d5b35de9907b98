/** The model guardian's pure logic: decisions, carried state, status. */
export * from './decide.js';
export * from './state.js';
export * from './command.js';
