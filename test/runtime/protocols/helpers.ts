/**
 * Shared harness for the protocol tests: a seeded simulation (virtual clock, seeded random,
 * adversarial network) and the checkers that judge recorded histories. The checkers know nothing
 * of the protocols; each test shows they catch a naive protocol (a negative control).
 */
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom, type Random } from '../../../runtime/random.js';
import { createAdversarialNetwork, type AdversarialNetwork, type NetworkFaults } from '../../../runtime/transport/index.js';
import { happenedBefore, type VectorClock } from '../../../runtime/vector-clock.js';

export const hostileFaults: NetworkFaults = { drop: 0.2, duplicate: 0.25, reorder: 0.5, delayMs: [1, 60] };

export interface Simulation {
  clock: VirtualClock;
  random: Random;
  net: AdversarialNetwork;
}

export function simulation(seed: number, faults: NetworkFaults = hostileFaults): Simulation {
  const clock = new VirtualClock();
  const random = seededRandom(seed);
  const net = createAdversarialNetwork({ clock, random, faults });
  return { clock, random, net };
}

/** fast-check settings for a property over simulation seeds: fixed, so every run is the same. */
export function propertyRuns(numRuns: number, seed = 20240601) {
  return { numRuns, seed, endOnFailure: true } as const;
}

// --- message histories -----------------------------------------------------------------------------

export interface Published {
  id: string;
  from: string;
  vc: VectorClock;
}

export interface Delivery {
  consumer: string;
  id: string;
  from: string;
  seq: number;
  vc: VectorClock;
  /** The handler crashed on it (had no effect); the message may come again. */
  crashed?: boolean;
}

/** The deliveries that took effect: what ordering guarantees are about. */
export function effective(deliveries: readonly Delivery[]): Delivery[] {
  return deliveries.filter((delivery) => !delivery.crashed);
}

function byConsumer(deliveries: readonly Delivery[]): Map<string, Delivery[]> {
  const out = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    const list = out.get(delivery.consumer) ?? [];
    list.push(delivery);
    out.set(delivery.consumer, list);
  }
  return out;
}

/**
 * Causal delivery: at every consumer, a message is delivered only after every message that
 * happened-before it (by the vector clocks recorded at publish). With `complete`, the earlier
 * message must have been delivered at all (reliable delivery); otherwise only the relative order
 * of delivered messages is judged (lossy delivery).
 */
export function causalViolations(published: readonly Published[], deliveries: readonly Delivery[], complete: boolean): string[] {
  const violations: string[] = [];
  for (const [consumer, list] of byConsumer(deliveries)) {
    const position = new Map<string, number>();
    list.forEach((delivery, index) => {
      if (!position.has(delivery.id)) position.set(delivery.id, index);
    });
    for (const [index, delivery] of list.entries()) {
      for (const earlier of published) {
        if (!happenedBefore(earlier.vc, delivery.vc)) continue;
        const at = position.get(earlier.id);
        if (at === undefined ? complete : at > index) {
          violations.push(`${consumer}: ${delivery.id} delivered ${at === undefined ? 'without' : 'before'} ${earlier.id}, which happened before it`);
        }
      }
    }
  }
  return violations;
}

/** FIFO: at every consumer, each sender's messages arrive in increasing sequence order. */
export function fifoViolations(deliveries: readonly Delivery[]): string[] {
  const violations: string[] = [];
  for (const [consumer, list] of byConsumer(deliveries)) {
    const last = new Map<string, number>();
    for (const delivery of list) {
      const previous = last.get(delivery.from) ?? 0;
      if (delivery.seq <= previous) violations.push(`${consumer}: ${delivery.from}#${delivery.seq} after #${previous}`);
      last.set(delivery.from, delivery.seq);
    }
  }
  return violations;
}

/** Total order: any two consumers deliver the messages they both deliver in the same order. */
export function totalOrderViolations(deliveries: readonly Delivery[]): string[] {
  const violations: string[] = [];
  const lists = [...byConsumer(deliveries)];
  for (let a = 0; a < lists.length; a++) {
    for (let b = a + 1; b < lists.length; b++) {
      const [nameA, listA] = lists[a]!;
      const [nameB, listB] = lists[b]!;
      const inB = new Set(listB.map((d) => d.id));
      const inA = new Set(listA.map((d) => d.id));
      const commonA = listA.map((d) => d.id).filter((id) => inB.has(id));
      const commonB = listB.map((d) => d.id).filter((id) => inA.has(id));
      const first = commonA.findIndex((id, i) => id !== commonB[i]);
      if (first >= 0) violations.push(`${nameA} and ${nameB} disagree at ${first}: ${commonA[first]} vs ${commonB[first]}`);
    }
  }
  return violations;
}

/** Ids delivered more than once to the same consumer. */
export function duplicateDeliveries(deliveries: readonly Delivery[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { consumer, id } of deliveries) {
    const key = `${consumer} ${id}`;
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  return duplicates;
}

// --- linearizability (Wing & Gong) -----------------------------------------------------------------

export interface Operation<I, O> {
  /** Order of invocation and response events in the run (a global counter, not the clock). */
  invoke: number;
  response: number;
  input: I;
  output: O;
}

export interface SequentialModel<S, I, O> {
  initial: S;
  /** The sequential specification: the next state and the output the operation must have. */
  step(state: S, input: I): { state: S; output: O };
  equalOutput(a: O, b: O): boolean;
  key(state: S): string;
}

/**
 * Wing & Gong's search: a history is linearizable if its operations can be put in one sequence
 * that respects real time (an operation that responded before another was invoked comes first)
 * and in which every output is what the sequential model gives. Depth-first over "which minimal
 * operation goes next", memoising (remaining operations, model state) pairs that failed.
 */
export function isLinearizable<S, I, O>(history: readonly Operation<I, O>[], model: SequentialModel<S, I, O>): boolean {
  if (history.length > 30) throw new RangeError('the linearizability check is exponential; keep histories small');
  const failed = new Set<string>();
  const search = (remaining: number, state: S): boolean => {
    if (remaining === 0) return true;
    const memo = `${remaining}|${model.key(state)}`;
    if (failed.has(memo)) return false;
    // The earliest response among remaining operations bounds which may be linearized first.
    let horizon = Number.POSITIVE_INFINITY;
    for (let i = 0; i < history.length; i++) if (remaining & (1 << i)) horizon = Math.min(horizon, history[i]!.response);
    for (let i = 0; i < history.length; i++) {
      if (!(remaining & (1 << i))) continue;
      const operation = history[i]!;
      if (operation.invoke > horizon) continue; // some remaining operation finished before this one began
      const next = model.step(state, operation.input);
      if (!model.equalOutput(next.output, operation.output)) continue;
      if (search(remaining & ~(1 << i), next.state)) return true;
    }
    failed.add(memo);
    return false;
  };
  return search((1 << history.length) - 1, model.initial);
}

/** A counter shared by every session of a run, so invocations and responses are totally ordered. */
export function eventCounter(): () => number {
  let next = 0;
  return () => ++next;
}
