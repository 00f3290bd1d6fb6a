/**
 * From the checked model (`compiler/model.ts`) to the analyser's inputs, for the rules that cite
 * the analyser's figures (T304, T900–T902), and to the worst cases of spend (T701, T702) and time (T504).
 *
 * No mapping decision is made here: the team becomes the runtime's `TeamDefinition` exactly as
 * `teamc run` and `teamc analyze` build it (`compiler/definition`), and `from-definition.ts`
 * turns that into graphs (edges, expected activations, what a work graph's agent costs, who is
 * serialised). So the checker's figures are the ones `teamc analyze` prints, about what runs.
 */
import type { TeamDefinition } from '../../runtime/definition.js';
import { toTeamDefinition } from '../definition/from-model.js';
import type { AgentModel, TeamModel } from '../model.js';
import {
  analysisInputs,
  analyzeTeam,
  type DefinitionAnalysisOptions,
  type TeamAnalysisInputs,
  type TeamReports,
} from './from-definition.js';
import { worstCaseSpend, type WorstCaseSpend } from './worst-case.js';
import { worstCaseLatency, type WorstCaseLatency } from './worst-latency.js';

/** The analyser's inputs for one checked team: its agent graph and each work graph. */
export function analysisInputsFromModel(team: TeamModel, options: DefinitionAnalysisOptions = {}): TeamAnalysisInputs {
  // Several rule families read the same team's figures: compute the default ones once.
  const useCache = options.elementsPerArray === undefined && options.maxWorkers === undefined;
  const cached = useCache ? defaultInputs.get(team) : undefined;
  if (cached) return cached;
  const inputs = analysisInputs(definitionForAnalysis(team), options);
  if (useCache) defaultInputs.set(team, inputs);
  return inputs;
}

/** Every report of one checked team, as `teamc analyze` prints them. */
export function analyzeTeamModel(team: TeamModel, options: DefinitionAnalysisOptions = {}): TeamReports {
  return analyzeTeam(definitionForAnalysis(team), options);
}

/** The most one run of the checked team can spend, counted on what runs (see worst-case.ts). */
export function worstCaseSpendOfModel(team: TeamModel): WorstCaseSpend {
  let spend = spends.get(team);
  if (!spend) spends.set(team, (spend = worstCaseSpend(definitionForAnalysis(team))));
  return spend;
}

/** The longest one run of the checked team can take, counted on what runs (see worst-latency.ts). */
export function worstCaseLatencyOfModel(team: TeamModel): WorstCaseLatency {
  let latency = latencies.get(team);
  if (!latency) latencies.set(team, (latency = worstCaseLatency(definitionForAnalysis(team), worstCaseSpendOfModel(team))));
  return latency;
}

const defaultInputs = new WeakMap<TeamModel, TeamAnalysisInputs>();
const spends = new WeakMap<TeamModel, WorstCaseSpend>();
const latencies = new WeakMap<TeamModel, WorstCaseLatency>();

/**
 * The team's definition. A run refuses an agent with no model or no prompt (already reported by
 * the checker); the figures do not need either, so such an agent is analysed as one whose model
 * is unknown (no latency, its own `max_tokens` only) instead of silencing every figure.
 */
function definitionForAnalysis(team: TeamModel): TeamDefinition<unknown, unknown> {
  const incomplete = [...team.agents.values()].some((a) => a.model === undefined || a.prompt === undefined);
  const runnable: TeamModel = incomplete ? { ...team, agents: new Map([...team.agents].map(([name, a]) => [name, analysable(a)])) } : team;
  return toTeamDefinition(runnable) as TeamDefinition<unknown, unknown>;
}

function analysable(agent: AgentModel): AgentModel {
  if (agent.model !== undefined && agent.prompt !== undefined) return agent;
  return {
    ...agent,
    model: agent.model ?? '',
    prompt: agent.prompt ?? { text: '', file: agent.file, inline: true, span: agent.span, textSpan: agent.span },
  };
}
