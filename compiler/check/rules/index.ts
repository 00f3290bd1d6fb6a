/**
 * The rule families that read the checked model (T3xx–T9xx). Each family is a pure function of
 * one team (or, for what files declare at their top level, of the program); `runRules` calls
 * them all and returns what they found, unsorted (program.ts sorts the whole list once).
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ProgramModel } from '../../model.js';
import { checkAdvice } from './advice.js';
import { checkCapabilities, checkSecrets, checkUnusedShared } from './capabilities.js';
import { checkConsensus } from './consensus.js';
import { createRuleContext, type RuleOptions, type TeamRule } from './context.js';
import { checkDelivery } from './delivery.js';
import { checkOrdering } from './ordering.js';
import { checkPolicies } from './policies.js';
import { checkTaskCycles } from './task-cycles.js';
import { checkTermination } from './termination.js';

export type { RuleContext, RuleOptions, TeamRule } from './context.js';

/** Every per-team family, in catalogue order. */
export const teamRules: readonly TeamRule[] = [checkOrdering, checkDelivery, checkPolicies, checkConsensus, checkTermination, checkTaskCycles, checkCapabilities, checkAdvice];

export function runRules(model: ProgramModel, options: RuleOptions = {}): Diagnostic[] {
  const ctx = createRuleContext(model, options);
  const found: Diagnostic[] = [];
  for (const team of model.teams) for (const rule of teamRules) found.push(...rule(team, ctx));
  found.push(...checkUnusedShared(model), ...checkSecrets(model, ctx));
  return found;
}
