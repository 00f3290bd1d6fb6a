/**
 * Deterministic simulation (`teamc simulate`): run a team many times under injected faults, check
 * every recorded trace against the guarantees the team declares, and shrink each violation to a
 * short counterexample reproducible from its seed. See docs/runtime/simulation.md.
 */
export {
  DEFAULT_DELAY_MS,
  FaultSpecError,
  PROVIDER_TIMEOUT_MS,
  checkFaultSpec,
  faultNotes,
  formatFaultSpec,
  parseFaultSpec,
  planRunFaults,
  type ConsensusFaultPlan,
  type FaultSpec,
  type RunFaults,
} from './faults.js';
export {
  atLeastOnceChecker,
  budgetChecker,
  causalChecker,
  causalReadChecker,
  checkers,
  checkTrace,
  consensusLivenessChecker,
  consensusSafetyChecker,
  deadlineChecker,
  exactlyOnceChecker,
  fifoChecker,
  lostUpdateChecker,
  loopsOf,
  staleReadChecker,
  terminationChecker,
  totalOrderChecker,
  violationKinds,
  type Checker,
  type Violation,
  type ViolationKind,
} from './checkers/index.js';
export { consumerRequirements, type ConsumerRequirement } from './trace-view.js';
export { ddmin, formatCounterexample, shrink, type Counterexample, type ShrinkOptions } from './shrink.js';
export { formatEvent } from './format.js';
export { DEFAULT_TOOL_LATENCY_MS, SimulatedToolFailure, simulatedTool, simulatedTools, toolsWithoutImplementation, type SimulatedToolOptions } from './tools.js';
export { formatSummary } from './report.js';
export {
  percentiles,
  resolveFaults,
  simulate,
  simulateRun,
  type Percentiles,
  type RunFailureKind,
  type SimulateOptions,
  type SimulateRunOptions,
  type SimulatedRun,
  type SimulationSummary,
  type ViolationGroup,
} from './simulate.js';
