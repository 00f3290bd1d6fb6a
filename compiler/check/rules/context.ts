/**
 * What every rule family (T3xx–T9xx) receives besides the team it checks: the whole checked
 * program, the options the caller chose, and a few lookups more than one family needs.
 * Rules are pure functions `(team, ctx) => Diagnostic[]`: they read the model, never mutate it.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ProgramModel, TeamModel } from '../../model.js';

export interface RuleOptions {
  /**
   * Texts of the loaded `.team` files by path, for rules that look at literals the model does not
   * keep (T802 scans string literals). Absent: those rules see only what the model holds.
   */
  sources?: ReadonlyMap<string, string>;
}

export interface RuleContext {
  program: ProgramModel;
  options: RuleOptions;
  /** The team's agents that are reachable from its inputs through takes/emits (see `reachableAgents`). */
  reachableAgents(team: TeamModel): ReadonlySet<string>;
}

/** One rule family: reads one team, returns what it finds. */
export type TeamRule = (team: TeamModel, ctx: RuleContext) => Diagnostic[];

export function createRuleContext(program: ProgramModel, options: RuleOptions = {}): RuleContext {
  const reachable = new WeakMap<TeamModel, ReadonlySet<string>>();
  return {
    program,
    options,
    reachableAgents(team) {
      let found = reachable.get(team);
      if (found === undefined) {
        found = reachableAgents(team);
        reachable.set(team, found);
      }
      return found;
    },
  };
}

/**
 * Agents that can ever activate in a run: those taking a team input, those taking a channel some
 * reachable agent emits on, plus the helpers (fallbacks, validators, work leads, workers,
 * consensus replicas) of a reachable agent or of a graph that is itself used. Breadth first over
 * channels, each agent and channel visited once: linear in the team's size.
 */
export function reachableAgents(team: TeamModel): ReadonlySet<string> {
  const reached = new Set<string>();
  const queue: string[] = [];
  let head = 0;
  const visit = (agent: string) => {
    if (team.agents.has(agent) && !reached.has(agent)) {
      reached.add(agent);
      queue.push(agent);
    }
  };
  for (const input of team.inputs.values()) for (const consumer of input.consumers) visit(consumer);
  // An agent that takes nothing activates once at the start of a run.
  for (const agent of team.agents.values()) if (agent.takes.length === 0 && !agent.helperOnly) visit(agent.name);
  // Team outputs pull in the consensus and work graphs they name.
  for (const output of team.outputs.values()) {
    if (output.fromKind === 'consensus') {
      const consensus = team.consensus.get(output.from);
      if (consensus) visit(consensus.over);
    } else if (output.fromKind === 'work') {
      const work = team.work.get(output.from);
      if (work) {
        visit(work.by);
        if (work.assign.lead) visit(work.assign.lead);
      }
    }
  }
  const seenChannels = new Set<string>();
  while (head < queue.length) {
    const agent = team.agents.get(queue[head++]!)!;
    for (const emit of agent.emits) {
      if (seenChannels.has(emit.channel)) continue;
      seenChannels.add(emit.channel);
      for (const consumer of team.channels.get(emit.channel)?.consumers ?? []) visit(consumer);
    }
    for (const fallback of agent.policy.fallback) visit(fallback);
    if (agent.policy.validator) visit(agent.policy.validator);
  }
  return reached;
}
