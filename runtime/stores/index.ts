/**
 * `createStore` picks the protocol for the declared consistency; all three share the session
 * interface, and the strong store adds versions and compare-and-set.
 */
import { createCausalStore } from './causal.js';
import { createEventualStore } from './eventual.js';
import { createStrongStore } from './strong.js';
import type { Store, StoreOptions, StrongSession } from './types.js';

export function createStore(options: StoreOptions & { consistency: 'strong' }): Store<StrongSession>;
export function createStore(options: StoreOptions): Store;
export function createStore(options: StoreOptions): Store {
  switch (options.consistency) {
    case 'eventual':
      return createEventualStore(options);
    case 'causal':
      return createCausalStore(options);
    case 'strong':
      return createStrongStore(options);
  }
}

export { createCausalStore, createEventualStore, createStrongStore };
export type { SessionOptions, Store, StoreOptions, StoreSession, StrongSession, Versioned } from './types.js';
export { isMerged, WriteRegistry, type ReadTrace, type StoreSnapshot, type StoreView, type WriteTrace } from './tracing.js';
export { applyWrite, canonicalJson, compareStamps, emptyValue, join, readValue, type Stamp, type ValueState } from './value.js';
