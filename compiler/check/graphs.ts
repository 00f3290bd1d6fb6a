/**
 * Consensus groups (`consensus … over agent`) and work graphs (`work … by agent`, its tasks and
 * their dependencies): their values, defaults, and the agents and tasks they name.
 */
import type { ConsensusDeclaration, Span, TaskDeclaration, WorkDeclaration } from '../syntax/ast.js';
import { assignPolicies, faultModels, normalizers, protocols, tieBreaks, type ConsensusModel, type TaskModel, type TeamModel, type WorkModel } from '../model.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { resolveName } from './binder.js';
import { blockContext, docOf, duplicateItem, origin, word, type TeamParts } from './context.js';
import { collectBlock, readCount, readDuration, readWord, requireProperty, wrongKind } from './properties.js';
import { q } from './reporter.js';
import { arrayOf, unknownType } from './types.js';

/** A consensus group; undefined (after every value is checked) without its agent, replicas or quorum. */
export function buildConsensus(declaration: ConsensusDeclaration, parts: TeamParts, team: TeamModel, misplaced: Set<string>): ConsensusModel | undefined {
  const { file, report, scope } = parts;
  const name = declaration.name.name;
  const where = blockContext('consensus', name, file);
  const block = collectBlock(declaration.members, where, report, misplaced);
  const props = block.properties;
  const over = resolveName(scope, declaration.over, ['agent'], 'agent', report);
  const hasReplicas = requireProperty(props, 'replicas', where, declaration.name.span, report, 'replicas 3');
  const hasQuorum = requireProperty(props, 'quorum', where, declaration.name.span, report, 'quorum majority');
  requireProperty(props, 'agree', where, declaration.name.span, report, 'agree on <field>');

  const replicas = hasReplicas ? readCount(props.get('replicas')!.value, 'replicas', file, report) : undefined;
  let quorum: ConsensusModel['quorum'] | undefined;
  if (hasQuorum) {
    const value = props.get('quorum')!.value;
    if (value.kind === 'Number' || value.kind === 'Size') quorum = readCount(value, 'quorum', file, report);
    else if (value.kind === 'Identifier') quorum = readWord(value, 'quorum', ['majority', 'all'] as const, file, report);
    else wrongKind(value, 'quorum', 'a whole number, `majority` or `all`', file, report);
  }
  const overAgent = over === undefined ? undefined : team.agents.get(over.name);
  const consensus: ConsensusModel = {
    name,
    ...origin(file, declaration),
    over: overAgent?.name ?? declaration.over.name,
    overSpan: declaration.over.span,
    replicas: replicas ?? 1,
    quorum: quorum ?? 'majority',
    quorumSize: 0,
    faults: { count: 0, model: 'crash' },
    agreeOn: [],
    protocol: word(props.get('protocol')?.value, 'protocol', protocols, file, report) ?? 'vote',
    output: overAgent?.output ?? unknownType,
    spans: props.spans(),
  };
  consensus.quorumSize = consensus.quorum === 'majority' ? Math.floor(consensus.replicas / 2) + 1 : consensus.quorum === 'all' ? consensus.replicas : consensus.quorum;
  const doc = docOf(block);
  if (doc !== undefined) consensus.doc = doc;
  const faults = props.get('faults');
  if (faults) {
    const count = readCount(faults.count, 'faults', file, report, 0);
    const model = readWord(faults.model, 'faults', faultModels, file, report);
    if (count !== undefined && model !== undefined) consensus.faults = { count, model };
  }
  const agree = props.get('agree');
  if (agree) {
    consensus.agreeOn = agree.fields.map((field) => field.segments.map((s) => s.name));
    const normalize = agree.normalize && readWord(agree.normalize, 'agree … normalize', normalizers, file, report);
    if (normalize) consensus.normalize = normalize;
  }
  const rounds = props.get('rounds');
  if (rounds) {
    const value = readCount(rounds.value, 'rounds', file, report);
    if (value !== undefined) consensus.rounds = value;
  }
  const tieBreak = word(props.get('tie_break')?.value, 'tie_break', tieBreaks, file, report);
  if (tieBreak) consensus.tieBreak = tieBreak;
  // Every value was checked above; without its agent, a replica count and a quorum there is no vote to model.
  if (overAgent === undefined || replicas === undefined || quorum === undefined) return undefined;
  return consensus;
}

/** A work graph and its tasks; undefined (after every task is checked) without its worker agent. */
export function buildWork(declaration: WorkDeclaration, parts: TeamParts, team: TeamModel, misplaced: Set<string>): WorkModel | undefined {
  const { file, report, scope } = parts;
  const name = declaration.name.name;
  const block = collectBlock(declaration.members, blockContext('work', name, file), report, misplaced);
  const props = block.properties;
  const by = resolveName(scope, declaration.by, ['agent'], 'agent', report);

  let assign: WorkModel['assign'] = { policy: 'preassigned' };
  const assignProperty = props.get('assign');
  if (assignProperty) {
    const policy = readWord(assignProperty.policy, 'assign', assignPolicies, file, report);
    if (policy === 'lead') {
      if (assignProperty.lead === undefined) {
        report({
          code: 'T103',
          args: { message: '`assign lead` needs the lead agent' },
          at: { file, span: assignProperty.span },
          label: 'which agent leads?',
          help: ['name the agent that assigns the tasks: `assign lead planner`'],
        });
      } else {
        const lead = resolveName(scope, assignProperty.lead, ['agent'], 'agent', report);
        if (lead !== undefined && team.agents.has(lead.name)) assign = { policy, lead: lead.name };
      }
    } else if (policy !== undefined) {
      if (assignProperty.lead !== undefined) {
        report({
          code: 'T103',
          args: { message: `\`assign ${policy}\` takes no lead agent` },
          at: { file, span: assignProperty.lead.span },
          label: 'only `assign lead` names an agent',
          help: [`write \`assign ${policy}\`, or \`assign lead ${assignProperty.lead.name}\``],
        });
      }
      assign = { policy };
    }
  }

  const tasks = new Map<string, TaskModel>();
  const taskDeclarations: TaskDeclaration[] = [];
  for (const task of block.declarations) {
    if (task.kind !== 'Task') continue;
    const first = tasks.get(task.name.name);
    if (first !== undefined) {
      report({
        code: 'T102',
        args: { what: 'task', name: task.name.name },
        at: { file, span: task.name.span },
        label: 'declared again here',
        related: [{ file, span: first.nameSpan, message: 'first declared here' }],
        help: ['rename one of them'],
      });
      continue;
    }
    taskDeclarations.push(task);
    tasks.set(task.name.name, { name: task.name.name, ...origin(file, task), after: [], afterSpans: [], weight: 1, writes: [], spans: {} });
  }
  for (const declarationOfTask of taskDeclarations) buildTask(declarationOfTask, tasks, name, parts, misplaced);

  const byAgent = by === undefined ? undefined : team.agents.get(by.name);
  if (byAgent === undefined) return undefined;
  const work: WorkModel = {
    name,
    ...origin(file, declaration),
    by: byAgent.name,
    bySpan: declaration.by.span,
    assign,
    tasks,
    output: arrayOf(byAgent.output),
    spans: props.spans(),
  };
  const doc = docOf(block);
  if (doc !== undefined) work.doc = doc;
  const lease = props.get('lease');
  if (lease) {
    const value = readDuration(lease.value, 'lease', file, report);
    if (value !== undefined) work.leaseMs = value;
  }
  return work;
}

/** One task's properties; `after` names tasks of the same work graph. */
function buildTask(declaration: TaskDeclaration, tasks: Map<string, TaskModel>, work: string, parts: TeamParts, misplaced: Set<string>): void {
  const { file, report } = parts;
  const task = tasks.get(declaration.name.name)!;
  const block = collectBlock(declaration.members, blockContext('task', task.name, file), report, misplaced);
  const props = block.properties;
  task.spans = props.spans();
  const doc = docOf(block);
  if (doc !== undefined) task.doc = doc;
  const weight = props.get('weight');
  if (weight) {
    const value = weight.value;
    if ((value.kind === 'Number' || value.kind === 'Size') && value.value > 0) task.weight = value.value;
    else wrongKind(value, 'weight', 'a number above zero such as `2`', file, report);
  }
  const afterSeen = new Map<string, Span>();
  for (const after of props.all('after')) {
    for (const reference of after.tasks) {
      if (!tasks.has(reference.name)) {
        const suggestion = didYouMean(reference.name, tasks.keys());
        report({
          code: 'T101',
          args: { what: 'task', name: reference.name },
          at: { file, span: reference.span },
          label: `not a task of work ${q(work)}`,
          help: suggestion === undefined ? [] : [`did you mean ${q(suggestion)}?`],
        });
        continue;
      }
      const first = afterSeen.get(reference.name);
      if (first !== undefined) {
        duplicateItem(reference.name, reference.span, first, 'listed in `after`', parts);
        continue;
      }
      afterSeen.set(reference.name, reference.span);
      task.after.push(reference.name);
      task.afterSpans.push(reference.span);
    }
  }
  const writeSeen = new Map<string, Span>();
  for (const writes of props.all('writes')) {
    for (const target of writes.targets) {
      if (target.kind !== 'String') {
        report({
          code: 'T103',
          args: { message: `a task writes files or keys, written as strings; ${q(target.name)} is a name` },
          at: { file, span: target.span },
          label: 'a string is expected',
          help: [`write \`"${target.name}"\``],
        });
        continue;
      }
      const first = writeSeen.get(target.value);
      if (first !== undefined) {
        duplicateItem(target.value, target.span, first, 'written', parts);
        continue;
      }
      writeSeen.set(target.value, target.span);
      task.writes.push(target.value);
    }
  }
}
