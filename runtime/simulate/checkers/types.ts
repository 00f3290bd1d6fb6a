/**
 * The checkers' common shape: a checker judges one recorded trace against one guarantee of a
 * definition and returns the violations it found, each with the trace events that show it.
 */
import type { AnyDefinition, Trace } from '../trace-view.js';

/** The guarantees the simulator checks, in the order reports list them. */
export const violationKinds = [
  'causal',
  'fifo',
  'total',
  'exactly-once',
  'at-least-once',
  'stale-read',
  'causal-read',
  'lost-update',
  'consensus-safety',
  'consensus-liveness',
  'termination',
  'deadline',
  'budget',
] as const;
export type ViolationKind = (typeof violationKinds)[number];

export interface Violation {
  kind: ViolationKind;
  /** What was violated, stable across runs: `findings→judge`, `decide`, `tool:deploy`, `team`. */
  subject: string;
  message: string;
  /** Indices into the checked trace of the events that show the violation, ascending. */
  evidence: number[];
}

export interface Checker {
  kind: ViolationKind;
  /** The guarantee, in one line (for reports). */
  guarantee: string;
  check(trace: Trace, definition: AnyDefinition): Violation[];
}

export function violation(kind: ViolationKind, subject: string, message: string, evidence: number[]): Violation {
  return { kind, subject, message, evidence: [...new Set(evidence)].filter((i) => i >= 0).sort((a, b) => a - b) };
}
