/**
 * Every checker, one per guarantee, and `checkTrace` to run them all over one trace.
 */
import type { AnyDefinition, Trace } from '../trace-view.js';
import { atLeastOnceChecker, exactlyOnceChecker } from './delivery.js';
import { consensusLivenessChecker, consensusSafetyChecker } from './consensus.js';
import { budgetChecker, deadlineChecker } from './limits.js';
import { causalChecker, fifoChecker, totalOrderChecker } from './ordering.js';
import { causalReadChecker, lostUpdateChecker, staleReadChecker } from './stores.js';
import { terminationChecker } from './termination.js';
import type { Checker, Violation } from './types.js';

export { violationKinds, violation, type Checker, type Violation, type ViolationKind } from './types.js';
export { causalChecker, fifoChecker, totalOrderChecker } from './ordering.js';
export { atLeastOnceChecker, exactlyOnceChecker } from './delivery.js';
export { consensusLivenessChecker, consensusSafetyChecker } from './consensus.js';
export { budgetChecker, deadlineChecker } from './limits.js';
export { causalReadChecker, lostUpdateChecker, staleReadChecker } from './stores.js';
export { cutOff, declaredRounds, loopsOf, terminationChecker, type CutOff, type Loop } from './termination.js';

/** All checkers, in the order of `violationKinds`. */
export const checkers: readonly Checker[] = [
  causalChecker,
  fifoChecker,
  totalOrderChecker,
  exactlyOnceChecker,
  atLeastOnceChecker,
  staleReadChecker,
  causalReadChecker,
  lostUpdateChecker,
  consensusSafetyChecker,
  consensusLivenessChecker,
  terminationChecker,
  deadlineChecker,
  budgetChecker,
];

/** Every violation `using` finds in `trace` (all checkers by default). */
export function checkTrace(trace: Trace, definition: AnyDefinition, using: readonly Checker[] = checkers): Violation[] {
  return using.flatMap((checker) => checker.check(trace, definition));
}
