/**
 * Where values flow, and whether their types fit (T200, T204, T205):
 * - an agent's output on each channel it emits (`T` on a channel of `T`, or `T[]`, one message
 *   per element) and into each store it writes (`S`, or the elements of an `append`/`union`
 *   store of `T[]`); an `emits … when f` gate must name a `bool` field of what is sent;
 * - a fallback stands in for an agent, so it must output the same type;
 * - a validator's output is its verdict `{ valid: bool, reason?: string }`, a work lead's its plan
 *   `{ assignments: { task: string, worker: int }[] }`;
 * - a team output takes the last output of an agent, the decided value of a consensus, or the
 *   list of a work graph's task outputs, which must fit the output's type.
 */
import type { AgentModel, TeamModel, Type } from '../model.js';
import { checkFieldPath } from './context.js';
import { q, type Reporter } from './reporter.js';
import {
  arrayOf,
  boolType,
  elementOf,
  intType,
  isAssignable,
  isBoolean,
  isEquivalent,
  recordOf,
  stringType,
  typeToString,
} from './types.js';

/** What the runtime expects a validator agent to answer. */
export const validatorVerdictType: Type = recordOf([
  { name: 'valid', type: boolType, optional: false },
  { name: 'reason', type: stringType, optional: true },
]);

/** What the runtime expects a work lead to answer. */
export const leadPlanType: Type = recordOf([
  {
    name: 'assignments',
    type: arrayOf(recordOf([
      { name: 'task', type: stringType, optional: false },
      { name: 'worker', type: intType, optional: false },
    ])),
    optional: false,
  },
]);

export function checkFlow(team: TeamModel, report: Reporter): void {
  for (const agent of team.agents.values()) {
    if (agent.output.kind === 'unknown') continue;
    checkEmits(agent, team, report);
    checkWrites(agent, team, report);
    checkFallbacks(agent, team, report);
    checkRoleOutputs(agent, team, report);
  }
  checkTeamOutputs(team, report);
}

function checkEmits(agent: AgentModel, team: TeamModel, report: Reporter): void {
  for (const emit of agent.emits) {
    const channel = team.channels.get(emit.channel)!;
    let sent: Type;
    if (isAssignable(agent.output, channel.type)) {
      sent = agent.output;
    } else {
      const element = elementOf(agent.output);
      if (element !== undefined && isAssignable(element, channel.type)) {
        sent = element;
        emit.perElement = true;
      } else {
        report({
          code: 'T200',
          args: { producer: agent.name, produced: typeToString(agent.output), target: `channel ${q(channel.name)}`, expected: typeToString(channel.type) },
          at: { file: agent.file, span: emit.span },
          label: `carries ${q(typeToString(channel.type))}`,
          related: [{ file: channel.file, span: channel.nameSpan, message: `${q(channel.name)} is declared here with type ${q(typeToString(channel.type))}` }],
          notes: ['an output `T` fits a channel of `T`; an output `T[]` fits it too, one message per element'],
          help: [`make ${q(agent.name)} output ${q(typeToString(channel.type))} or ${q(typeToString(arrayOf(channel.type)))}`],
        });
        continue;
      }
    }
    const condition = emit.when ?? emit.unless;
    if (condition === undefined || emit.conditionSpan === undefined) continue;
    const segments = condition.map((name) => ({ name, span: emit.conditionSpan! }));
    const gate = checkFieldPath(sent, segments, `\`${typeToString(sent)}\``, 'field', agent.file, report);
    if (gate !== undefined && !isBoolean(gate)) {
      report({
        code: 'T103',
        args: { message: `\`${emit.when ? 'when' : 'unless'}\` needs a \`bool\` field, but ${q(condition.join('.'))} is ${q(typeToString(gate))}` },
        at: { file: agent.file, span: emit.conditionSpan },
        label: 'not a `bool`',
        help: [`gate on a \`bool\` field of ${q(typeToString(sent))}`],
      });
    }
  }
}

function checkWrites(agent: AgentModel, team: TeamModel, report: Reporter): void {
  for (const write of agent.writes) {
    const store = team.stores.get(write.store)!;
    if (isAssignable(agent.output, store.type)) continue;
    const storeElement = store.merge === 'append' || store.merge === 'union' ? elementOf(store.type) : undefined;
    if (storeElement !== undefined) {
      const ownElement = elementOf(agent.output);
      if (isAssignable(agent.output, storeElement) || (ownElement !== undefined && isAssignable(ownElement, storeElement))) continue;
    }
    const element = elementOf(store.type);
    report({
      code: 'T200',
      args: { producer: agent.name, produced: typeToString(agent.output), target: `store ${q(store.name)}`, expected: typeToString(store.type) },
      at: { file: agent.file, span: write.span },
      label: `holds ${q(typeToString(store.type))}`,
      related: [{ file: store.file, span: store.nameSpan, message: `${q(store.name)} is declared here with type ${q(typeToString(store.type))}` }],
      notes: ['an output fits a store of its type; with `merge append` or `union`, a store of `T[]` also takes a `T` or a `T[]`'],
      help:
        element !== undefined && store.merge === undefined && isAssignable(agent.output, element)
          ? [`add \`merge append\` to store ${q(store.name)}, so each output adds to the list`]
          : [`make ${q(agent.name)} output ${q(typeToString(store.type))}`],
    });
  }
}

function checkFallbacks(agent: AgentModel, team: TeamModel, report: Reporter): void {
  agent.policy.fallback.forEach((name, index) => {
    const fallback = team.agents.get(name);
    if (fallback === undefined || fallback.output.kind === 'unknown' || name === agent.name) return;
    if (isEquivalent(agent.output, fallback.output)) return;
    report({
      code: 'T204',
      args: { agent: agent.name, fallback: name, expected: typeToString(agent.output), actual: typeToString(fallback.output) },
      at: { file: agent.file, span: agent.policy.fallbackSpans[index]! },
      label: `stands in for ${q(agent.name)}`,
      related: [{ file: fallback.file, span: fallback.spans.output ?? fallback.nameSpan, message: `${q(name)} outputs ${q(typeToString(fallback.output))}` }],
      notes: ["whatever consumes the agent's output receives the fallback's output in its place"],
      help: [`make ${q(name)} output ${q(typeToString(agent.output))}`],
    });
  });
}

function checkRoleOutputs(agent: AgentModel, team: TeamModel, report: Reporter): void {
  const roles: Array<{ users: string[]; expected: Type; target: string }> = [
    { users: agent.roles.validatorFor, expected: validatorVerdictType, target: 'the verdict of a validator' },
    { users: agent.roles.leadOf, expected: leadPlanType, target: 'the plan of a work lead' },
  ];
  for (const { users, expected, target } of roles) {
    if (users.length === 0 || isAssignable(agent.output, expected)) continue;
    const user = team.agents.get(users[0]!) ?? team.work.get(users[0]!);
    report({
      code: 'T200',
      args: { producer: agent.name, produced: typeToString(agent.output), target, expected: typeToString(expected) },
      at: { file: agent.file, span: agent.spans.output ?? agent.nameSpan },
      label: `${q(agent.name)} answers with this`,
      related: user === undefined ? [] : [{ file: user.file, span: user.nameSpan, message: `${q(user.name)} names ${q(agent.name)} here` }],
      help: [`make ${q(agent.name)} output ${q(typeToString(expected))}`],
    });
  }
}

function checkTeamOutputs(team: TeamModel, report: Reporter): void {
  for (const output of team.outputs.values()) {
    const produced =
      output.fromKind === 'agent'
        ? team.agents.get(output.from)?.output
        : output.fromKind === 'consensus'
          ? team.consensus.get(output.from)?.output
          : team.work.get(output.from)?.output;
    if (produced === undefined || isAssignable(produced, output.type)) continue;
    // An optional agent may fail and leave the output without a value: that is the runtime's
    // `incomplete`, not a type error, so only the produced type is compared here.
    const source = team.agents.get(output.from) ?? team.consensus.get(output.from) ?? team.work.get(output.from)!;
    report({
      code: 'T205',
      args: { output: output.name, source: output.from, expected: typeToString(output.type), actual: typeToString(produced) },
      at: { file: output.file, span: output.fromSpan },
      label: `produces ${q(typeToString(produced))}`,
      related: [{ file: source.file, span: source.nameSpan, message: `${q(source.name)} is declared here` }],
      notes: [
        output.fromKind === 'work'
          ? "a work graph produces the list of its tasks' outputs: `T[]` for a worker that outputs `T`"
          : output.fromKind === 'consensus'
            ? 'a consensus produces the decided value: the output of the agent it is over'
            : "an agent produces its last output",
      ],
      help: [`declare the output as \`output ${output.name}: ${typeToString(produced)} from ${output.from}\`, or change what ${q(output.from)} produces`],
    });
  }
}
