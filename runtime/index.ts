/**
 * `teamc/runtime`: what generated code (and `teamc run`) imports. Layers, bottom up: clock and
 * randomness, transport, delivery and ordering (channels), stores, fault policies, consensus,
 * agents and the team runner, providers, trace. See docs/runtime/README.md.
 */
export * from './clock.js';
export * from './random.js';
export * from './vector-clock.js';
export * from './transport/index.js';
export * from './delivery/index.js';
export * from './ordering/index.js';
export * from './stores/index.js';
export * from './policies/index.js';
export * from './consensus/index.js';
export * from './providers/index.js';
export * from './trace.js';
export * from './definition.js';
export * from './prompt.js';
export * from './agent.js';
export * from './work.js';
export * from './team.js';

// Names two layers both define; the explicit export says which one the package means.
export type { JsonValue } from './transport/index.js';
export type { TieBreak } from './definition.js';
export type { TieBreak as VoteTieBreak } from './consensus/index.js';
export { canonicalJson } from './stores/index.js';
export { canonicalJson as consensusKey } from './consensus/index.js';
export * from './simulate/index.js';
