/** Fault policies around a model call; see compose.ts for the order they nest in. */
export * from './errors.js';
export * from './events.js';
export * from './operation.js';
export * from './budget.js';
export * from './breaker.js';
export * from './hedge.js';
export * from './retry.js';
export * from './timeout.js';
export * from './validation.js';
export * from './fallback.js';
export * from './compose.js';
