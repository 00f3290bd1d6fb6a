/**
 * Stand-ins' prompts (T208): a fallback, a validator or a work lead never activates on its own
 * (runtime/team.ts `helpers`); its prompt is rendered only where it stands in, with the variables
 * of what it serves, never with its own takes:
 *
 * - a fallback of `a` gets exactly the variables `a`'s call was made with: `a`'s takes and reads
 *   (and `task`/`deps` for a worker) — or, for the fallback of a work lead, the lead's variables.
 *   Only an agent's own activation and a lead's call use its `fallback` list; a stand-in's own
 *   fallbacks never run (runtime/agent.ts `call`);
 * - a validator of `a` gets the variables `a` was rendered with, plus `output` — wherever `a`
 *   renders: its own activation, as a fallback, as a lead, as a validator (`validate`);
 * - the lead of a work graph gets the worker's activation values (its takes, not its reads), its
 *   own reads (it is called as an instance of its own), `ready` and `idle` (runtime/team.ts `runWork`).
 *
 * A variable the stand-in's prompt names that one of these renderings lacks stops every such
 * render in strict mode (or, tested in `{{#if}}`/`{{#each}}`, is silently always absent). T202
 * checks the prompt against the agent's own declarations; this checks it against each rendering,
 * for the names T202 let through (a name no declaration gives is T202's alone).
 */
import type { Label, Location } from '../diagnostics/diagnostic.js';
import type { AgentModel, TeamModel } from '../model.js';
import { q, type Reporter } from './reporter.js';
import { addLeadVariables, addTaskVariables, readVariables, roleVariableNotes, takeVariables, variablesOf, type TemplateVariable, type VariableUse } from './templates.js';

/** The variables a role adds, rather than a take or a read. */
const roleVariables = ['task', 'deps', 'output', 'ready', 'idle'] as const;

/**
 * What an agent's prompt may name (T202): its own takes and reads, and what its roles add —
 * including what it is given as a stand-in of a stand-in (a validator of a worker gets `task`
 * and `deps`, a fallback of a work lead `ready` and `idle`), which the runtime really gives it.
 */
export function promptVariables(agent: AgentModel, team: TeamModel): Map<string, TemplateVariable> {
  const variables = variablesOf(agent, team);
  if (!agent.helperOnly) return variables;
  for (const rendering of renderingsOf(agent, team)) {
    for (const name of roleVariables) {
      const variable = rendering.variables.get(name);
      if (variable !== undefined && !variables.has(name)) variables.set(name, variable);
    }
  }
  return variables;
}

/** One way a prompt gets rendered, with the variables it is rendered with there. */
export interface Rendering {
  kind: 'own' | 'fallback' | 'validator' | 'lead';
  /** The agent (fallback, validator) or work graph (lead) it serves; the agent itself for `own`. */
  served: string;
  /** Where the role is declared: `fallback x`, `validate with x`, `assign lead x`. */
  via?: Location;
  variables: ReadonlyMap<string, TemplateVariable>;
  /** Whose takes and whose reads those variables are, as the help names them: `\`writer\``, `the worker \`dev\``. */
  takesOf: string;
  readsOf: string;
  /** How the served agent itself was rendered here, when it is a stand-in too: `when \`lite\` stands in for \`writer\``. */
  within?: string;
  /** Agents whose takes or reads make the variables: a rendering built on one with unresolved inputs is not judged. */
  from: string[];
}

/**
 * Every rendering of `agent`'s prompt: its own activation unless it only stands in, then each
 * role it plays, through whatever its served agent is rendered as. A loop of roles (a fallback
 * chain, validators validating each other) is followed once round.
 */
export function renderingsOf(agent: AgentModel, team: TeamModel, visiting = new Set<string>()): Rendering[] {
  if (visiting.has(agent.name)) return [];
  visiting.add(agent.name);
  const renderings: Rendering[] = [];
  if (!agent.helperOnly) {
    const variables = new Map([...takeVariables(agent), ...readVariables(agent, team)]);
    if (agent.roles.workerOf.length > 0) addTaskVariables(variables, agent.output);
    renderings.push({ kind: 'own', served: agent.name, variables, takesOf: q(agent.name), readsOf: q(agent.name), from: [agent.name] });
  }
  for (const name of agent.roles.fallbackFor) {
    const primary = team.agents.get(name);
    if (primary === undefined) continue;
    const k = primary.policy.fallback.indexOf(agent.name);
    const via = { file: primary.file, span: primary.policy.fallbackSpans[k] ?? primary.nameSpan };
    // Only an activation of its own and a lead's call try the agent's fallbacks.
    for (const served of renderingsOf(primary, team, visiting).filter((r) => r.kind === 'own' || r.kind === 'lead')) {
      renderings.push({ ...served, kind: 'fallback', served: name, via, ...withinOf(primary, served) });
    }
  }
  for (const name of agent.roles.validatorFor) {
    const judged = team.agents.get(name);
    if (judged === undefined) continue;
    const via = { file: judged.file, span: judged.spans.validate ?? judged.nameSpan };
    for (const served of renderingsOf(judged, team, visiting)) {
      const variables = new Map(served.variables);
      variables.set('output', { type: judged.output });
      renderings.push({ ...served, kind: 'validator', served: name, via, variables, ...withinOf(judged, served) });
    }
  }
  for (const name of agent.roles.leadOf) {
    const work = team.work.get(name);
    const worker = work === undefined ? undefined : team.agents.get(work.by);
    if (work === undefined || worker === undefined) continue;
    const variables = new Map([...takeVariables(worker), ...readVariables(agent, team)]);
    addLeadVariables(variables);
    const via = { file: work.file, span: work.spans.assign ?? work.nameSpan };
    renderings.push({ kind: 'lead', served: name, via, variables, takesOf: `the worker ${q(worker.name)}`, readsOf: q(agent.name), from: [worker.name, agent.name] });
  }
  visiting.delete(agent.name);
  return renderings;
}

function withinOf(served: AgentModel, rendering: Rendering): { within?: string } {
  switch (rendering.kind) {
    case 'own':
      return rendering.within === undefined ? {} : { within: rendering.within };
    case 'fallback':
      return { within: `when ${q(served.name)} stands in for ${q(rendering.served)}` };
    case 'validator':
      return { within: `when ${q(served.name)} judges the output of ${q(rendering.served)}` };
    case 'lead':
      return { within: `when ${q(served.name)} leads work ${q(rendering.served)}` };
  }
}

export interface StandInPrompt {
  agent: AgentModel;
  team: TeamModel;
  /** The variables the prompt was checked with (T202): names outside them are T202's. */
  declared: ReadonlyMap<string, TemplateVariable>;
  uses: readonly VariableUse[];
  /** Agents with takes or reads that did not resolve (already reported). */
  incomplete: (agent: string) => boolean;
}

/** T208: each variable some rendering of the stand-in lacks, once per role, served and variable. */
export function checkStandIn({ agent, team, declared, uses, incomplete }: StandInPrompt, report: Reporter): void {
  if (!agent.helperOnly || uses.length === 0) return;
  const missing = new Map<string, { use: VariableUse; renderings: Rendering[] }>();
  for (const rendering of renderingsOf(agent, team)) {
    if (rendering.kind === 'own' || rendering.from.some(incomplete)) continue;
    for (const use of firstUses(uses)) {
      if (!declared.has(use.name) || rendering.variables.has(use.name)) continue;
      const key = `${rendering.kind}\u0000${rendering.served}\u0000${use.name}`;
      const seen = missing.get(key);
      if (seen === undefined) missing.set(key, { use, renderings: [rendering] });
      else seen.renderings.push(rendering);
    }
  }
  for (const { use, renderings } of missing.values()) reportMissing(agent, team, renderings, use, report);
}

/** One use per variable: the first that stops the render, else the first. */
function firstUses(uses: readonly VariableUse[]): VariableUse[] {
  const first = new Map<string, VariableUse>();
  for (const use of uses) {
    const seen = first.get(use.name);
    if (seen === undefined || (!seen.fails && use.fails)) first.set(use.name, use);
  }
  return [...first.values()].sort((a, b) => a.span.start - b.span.start);
}

/** `renderings`: those of one role and served agent (several when the served agent is itself rendered in several places). */
function reportMissing(agent: AgentModel, team: TeamModel, renderings: readonly Rendering[], use: VariableUse, report: Reporter): void {
  const rendering = renderings[0]!;
  const role = rendering.kind as 'fallback' | 'validator' | 'lead';
  const name = use.name;
  const served = role === 'lead' ? `work ${q(rendering.served)}` : q(rendering.served);
  const related: Label[] = [];
  if (rendering.via) {
    const says = { fallback: `${q(rendering.served)} falls back to ${q(agent.name)} here`, validator: `${q(rendering.served)} is validated by ${q(agent.name)} here`, lead: `${q(agent.name)} leads ${q(rendering.served)} here` }[role];
    related.push({ ...rendering.via, message: says });
  }
  // Its own declaration of the name is what T202 accepted; at run time it is not what counts.
  const ownTake = agent.takes.find((t) => t.source === name);
  const ownRead = agent.reads.find((r) => r.store === name);
  if (ownTake) related.push({ file: agent.file, span: ownTake.span, message: `${q(agent.name)} takes ${q(name)} itself, but a stand-in never activates on its own: nothing delivers it` });
  else if (ownRead) related.push({ file: agent.file, span: ownRead.span, message: `${q(agent.name)} reads ${q(name)} itself, but as a ${role} it is rendered with what ${served} gives, not with its own reads` });

  const given = (r: Rendering) => (r.variables.size === 0 ? 'no variables at all' : [...r.variables.keys()].map(q).join(', '));
  const notes = [
    `as the ${role} of ${served}, ${q(agent.name)} is rendered with ${renderings.map((r) => `${given(r)}${r.within ? ` ${r.within}` : ''}`).join(', and with ')}`,
    use.fails
      ? `prompts render in strict mode: \`{{${use.written}}}\` stops the render, so every call of ${q(agent.name)} as this ${role} fails before its model is called`
      : `there ${q(use.written)} is always absent: the prompt silently leaves out what it depends on`,
  ];
  const roleNote = roleVariableNotes.get(name);
  if (roleNote !== undefined) notes.push(roleNote);

  // Who would have to take or read it: the agents whose activation the stand-in renders in.
  const providers = (of: 'takesOf' | 'readsOf') => [...new Set(renderings.map((r) => r[of]))].join(' and ');
  const help =
    roleNote !== undefined
      ? [`remove ${q(name)} from the prompt of ${q(agent.name)}`]
      : team.stores.has(name)
        ? [`make ${providers('readsOf')} read ${q(name)} (\`reads ${name}\`), or remove ${q(name)} from the prompt of ${q(agent.name)}`]
        : [`make ${providers('takesOf')} take ${q(name)} too, or remove ${q(name)} from the prompt of ${q(agent.name)}`];

  report({
    code: 'T208',
    args: { agent: agent.name, variable: name, role, served: rendering.served },
    at: { file: agent.prompt!.file, span: use.span },
    label: `${served} does not give ${q(name)} to its ${role}`,
    related,
    notes,
    help,
  });
}
