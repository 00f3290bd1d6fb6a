/** Consensus among replicas: by vote (vote.ts) or through a leader (leader.ts). */
export * from './parameters.js';
export * from './projection.js';
export * from './decision.js';
export * from './errors.js';
export * from './events.js';
export * from './vote.js';
export * from './leader.js';
