/**
 * Delivery and effects (T400–T403): repeated effects from redelivery or retries, a lost message
 * that loses the run, and bounded channels with no back-pressure decision.
 */
import type { Diagnostic, Label } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/registry.js';
import type { AgentModel, TeamModel, ToolModel } from '../../model.js';
import type { RuleContext } from './context.js';

const q = (name: string) => `\`${name}\``;

export function checkDelivery(team: TeamModel, _ctx: RuleContext): Diagnostic[] {
  return [...redeliveredEffects(team), ...retriedEffects(team), ...lostMessages(team), ...undecidedBackpressure(team)];
}

/** The tools an agent calls that are effects with no idempotency key, with the call. */
function unkeyedEffects(agent: AgentModel, team: TeamModel): Array<{ tool: ToolModel; call: AgentModel['calls'][number] }> {
  const found = [];
  for (const call of agent.calls) {
    const tool = team.tools.get(call.tool);
    if (tool !== undefined && tool.kind === 'effect' && (tool.key === undefined || tool.key.length === 0)) found.push({ tool, call });
  }
  return found;
}

function toolLabel(tool: ToolModel): Label {
  return { file: tool.file, span: tool.nameSpan, message: `${q(tool.name)} is an effect with no \`key\`` };
}

/** T400: an `at_least_once` channel feeds an agent that calls an un-keyed effect. */
function redeliveredEffects(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const agent of team.agents.values()) {
    const effects = unkeyedEffects(agent, team);
    if (effects.length === 0) continue;
    for (const take of agent.takes) {
      if (take.from !== 'channel') continue;
      const channel = team.channels.get(take.source);
      if (channel === undefined || channel.delivery !== 'at_least_once') continue;
      for (const { tool, call } of effects) {
        found.push(
          createDiagnostic({
            code: 'T400',
            args: { channel: channel.name, agent: agent.name, tool: tool.name },
            at: { file: agent.file, span: call.span },
            label: `may run twice for one message`,
            related: [
              { file: agent.file, span: take.span, message: `${q(agent.name)} takes ${q(channel.name)}` },
              { file: channel.file, span: channel.spans.delivery ?? channel.nameSpan, message: `${q(channel.name)} redelivers until acknowledged` },
              toolLabel(tool),
            ],
            notes: ['at-least-once delivery repeats a message whose acknowledgement was lost; only an idempotency key makes the repeat harmless'],
            help: [`add \`key …\` to \`tool ${tool.name}\`, naming the parameters that identify one effect, or make ${q(channel.name)} \`exactly_once\``],
          }),
        );
      }
    }
  }
  return found;
}

/** T401: `retry` (more than one attempt) or `hedge` on an agent that calls an un-keyed effect. */
function retriedEffects(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const agent of team.agents.values()) {
    const retries = agent.policy.retry !== undefined && agent.policy.retry.attempts > 1;
    const hedges = agent.policy.hedge !== undefined;
    if (!retries && !hedges) continue;
    // A hedge doubles every attempt: two calls race, and both may apply their effects.
    const attempts = (retries ? agent.policy.retry!.attempts : 1) * (hedges ? 2 : 1);
    const policy = retries ? 'retry' : 'hedge';
    const span = (retries ? agent.spans.retry : agent.spans.hedge) ?? agent.nameSpan;
    for (const { tool, call } of unkeyedEffects(agent, team)) {
      found.push(
        createDiagnostic({
          code: 'T401',
          args: { agent: agent.name, policy, attempts, tool: tool.name },
          at: { file: agent.file, span },
          label: `repeats the activation`,
          related: [{ file: agent.file, span: call.span, message: `${q(agent.name)} calls ${q(tool.name)}` }, toolLabel(tool)],
          notes: ['an attempt can apply its effect and then fail or time out; the next attempt applies it again'],
          help: [`add \`key …\` to \`tool ${tool.name}\`, naming the parameters that identify one effect, or drop \`${policy}\` from ${q(agent.name)}`],
        }),
      );
    }
  }
  return found;
}

/**
 * T402: an `at_most_once` channel on a path to a team output where no agent on the way (its
 * producer, its consumer, or anything between it and the output) has a retry or a fallback.
 * Backwards from each output's source, each agent is entered once, and only while the path so
 * far is unprotected: linear in agents and takes.
 */
function lostMessages(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  const reported = new Set<string>();
  const protectedAgent = (agent: AgentModel) => (agent.policy.retry !== undefined && agent.policy.retry.attempts > 1) || agent.policy.fallback.length > 0;
  const visited = new Set<string>();
  for (const output of team.outputs.values()) {
    // The agent whose activation produces the output: itself, a consensus's voter, a graph's worker.
    const source =
      output.fromKind === 'agent' ? output.from : output.fromKind === 'consensus' ? team.consensus.get(output.from)?.over : team.work.get(output.from)?.by;
    const sourceAgent = source === undefined ? undefined : team.agents.get(source);
    if (sourceAgent === undefined || protectedAgent(sourceAgent) || visited.has(sourceAgent.name)) continue;
    visited.add(sourceAgent.name);
    const queue = [sourceAgent.name];
    for (let head = 0; head < queue.length; head++) {
      const consumer = team.agents.get(queue[head]!)!;
      for (const take of consumer.takes) {
        if (take.from !== 'channel') continue;
        const channel = team.channels.get(take.source);
        if (channel === undefined) continue;
        const producers = channel.producers.map((name) => team.agents.get(name)).filter((a): a is AgentModel => a !== undefined && !protectedAgent(a));
        if (producers.length === 0) continue;
        // An optional take does not block the consumer: losing it does not lose the run.
        if (channel.delivery === 'at_most_once' && !take.optional && !reported.has(channel.name)) {
          reported.add(channel.name);
          found.push(
            createDiagnostic({
              code: 'T402',
              args: { channel: channel.name, output: output.name },
              at: { file: channel.file, span: channel.spans.delivery ?? channel.nameSpan },
              label: channel.spans.delivery ? 'a lost message is never sent again' : 'no `delivery`: it defaults to `at_most_once`',
              related: [
                { file: consumer.file, span: take.span, message: `${q(consumer.name)} waits for it, with no retry or fallback` },
                { file: output.file, span: output.span, message: `team output ${q(output.name)} depends on it` },
              ],
              notes: ['at-most-once delivery sends a message once; when it is lost, nothing downstream activates'],
              help: [`make ${q(channel.name)} \`at_least_once\` or \`exactly_once\``],
            }),
          );
        }
        for (const producer of producers) {
          if (!visited.has(producer.name)) {
            visited.add(producer.name);
            queue.push(producer.name);
          }
        }
      }
    }
  }
  return found;
}

/** T403: a bounded channel with no `backpressure` policy (warning). */
function undecidedBackpressure(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const channel of team.channels.values()) {
    if (channel.capacity === undefined || channel.backpressure !== undefined) continue;
    const consumer = channel.consumers[0];
    if (consumer === undefined) continue; // no consumer at all is T801's
    found.push(
      createDiagnostic({
        code: 'T403',
        args: { channel: channel.name, capacity: channel.capacity, consumer },
        at: { file: channel.file, span: channel.spans.capacity ?? channel.nameSpan },
        label: `bounded at ${channel.capacity}`,
        notes: ['a full bounded channel must block, drop or reject; which one is a design decision'],
        help: [`add \`backpressure block\` to ${q(channel.name)} (or \`drop_oldest\`, \`drop_newest\`, \`reject\`)`],
      }),
    );
  }
  return found;
}
