/**
 * Ordering and consistency (T300–T305): what a consumer or reader needs against what a channel or
 * store provides, causality across a store and a channel, lost updates, serialising guarantees,
 * and concurrent writes inside a work graph.
 */
import { analysisInputsFromModel } from '../../analyze/from-model.js';
import { analyzeAgentGraph } from '../../analyze/index.js';
import type { Diagnostic, Label } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/registry.js';
import { consistencies, orderings, type ChannelModel, type Consistency, type Ordering, type StoreModel, type TeamModel, type WorkModel } from '../../model.js';
import type { RuleContext } from './context.js';

const q = (name: string) => `\`${name}\``;
const orderRank = (ordering: Ordering) => orderings.indexOf(ordering);
const consistencyRank = (consistency: Consistency) => consistencies.indexOf(consistency);

export function checkOrdering(team: TeamModel, _ctx: RuleContext): Diagnostic[] {
  return [...requirements(team), ...crossChannelCausality(team), ...lostUpdates(team), ...serialisingGuarantees(team), ...concurrentTaskWrites(team)];
}

/** Where a channel's ordering is stated, or its name when the default applies. */
function orderingLabel(channel: ChannelModel): Label {
  return channel.spans.ordering
    ? { file: channel.file, span: channel.spans.ordering, message: `${q(channel.name)} provides ${q(channel.ordering)}` }
    : { file: channel.file, span: channel.nameSpan, message: `${q(channel.name)} has no \`ordering\`: it defaults to ${q(channel.ordering)}` };
}

function consistencyLabel(store: StoreModel): Label {
  return store.spans.consistency
    ? { file: store.file, span: store.spans.consistency, message: `${q(store.name)} is ${q(store.consistency)}` }
    : { file: store.file, span: store.nameSpan, message: `${q(store.name)} has no \`consistency\`: it defaults to ${q(store.consistency)}` };
}

/** T300, T301: a requirement above the provision. */
function requirements(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const agent of team.agents.values()) {
    for (const take of agent.takes) {
      if (take.from !== 'channel' || take.requires === undefined) continue;
      const channel = team.channels.get(take.source);
      if (channel === undefined || orderRank(take.requires) <= orderRank(channel.ordering)) continue;
      found.push(
        createDiagnostic({
          code: 'T300',
          args: { agent: agent.name, channel: channel.name, required: take.requires, provided: channel.ordering },
          at: { file: agent.file, span: take.span },
          label: `requires ${q(take.requires)}`,
          related: [orderingLabel(channel)],
          notes: ['orderings form a ladder, `unordered` < `fifo` < `causal` < `total`; the channel decides what is delivered'],
          help: [`make the channel \`ordering ${take.requires}\`, or lower the requirement if ${q(agent.name)} does not need it`],
        }),
      );
    }
    for (const read of agent.reads) {
      if (read.requires === undefined) continue;
      const store = team.stores.get(read.store);
      if (store === undefined || consistencyRank(read.requires) <= consistencyRank(store.consistency)) continue;
      found.push(
        createDiagnostic({
          code: 'T301',
          args: { agent: agent.name, store: store.name, required: read.requires, provided: store.consistency },
          at: { file: agent.file, span: read.span },
          label: `requires ${q(read.requires)}`,
          related: [consistencyLabel(store)],
          notes: ['consistencies form a ladder, `eventual` < `causal` < `strong`; the store decides what a read can see'],
          help: [`make the store \`consistency ${read.requires}\`, or lower the requirement if ${q(agent.name)} does not need it`],
        }),
      );
    }
  }
  return found;
}

/**
 * T302: A writes S and emits on C; B takes C and reads S. Reported once per (B, S, C), at B's
 * read, naming the first such writer. Only weak pairs are followed, and each agent's reads are a
 * set, so the work is the sum over writers of (weak writes × weak emits × consumers).
 */
function crossChannelCausality(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  const reported = new Set<string>();
  const causal = consistencyRank('causal');
  const causalOrder = orderRank('causal');
  for (const writer of team.agents.values()) {
    if (writer.writes.length === 0 || writer.emits.length === 0) continue;
    for (const write of writer.writes) {
      const store = team.stores.get(write.store);
      if (store === undefined) continue;
      for (const emit of writer.emits) {
        const channel = team.channels.get(emit.channel);
        if (channel === undefined) continue;
        if (consistencyRank(store.consistency) >= causal && orderRank(channel.ordering) >= causalOrder) continue;
        for (const readerName of channel.consumers) {
          const reader = team.agents.get(readerName);
          const read = reader?.reads.find((r) => r.store === store.name);
          const take = reader?.takes.find((t) => t.from === 'channel' && t.source === channel.name);
          if (reader === undefined || read === undefined || take === undefined) continue;
          const key = `${reader.name}\u0000${store.name}\u0000${channel.name}`;
          if (reported.has(key)) continue;
          reported.add(key);
          const raise: string[] = [];
          if (consistencyRank(store.consistency) < causal) raise.push(`${q(store.name)} \`consistency causal\``);
          if (orderRank(channel.ordering) < causalOrder) raise.push(`${q(channel.name)} \`ordering causal\``);
          found.push(
            createDiagnostic({
              code: 'T302',
              args: { writer: writer.name, store: store.name, channel: channel.name, reader: reader.name, consistency: store.consistency, ordering: channel.ordering },
              at: { file: reader.file, span: read.span },
              label: `may not yet see ${q(writer.name)}'s write`,
              related: [
                { file: writer.file, span: write.span, message: `${q(writer.name)} writes ${q(store.name)} …` },
                { file: writer.file, span: emit.span, message: `… then emits on ${q(channel.name)}` },
                { file: reader.file, span: take.span, message: `${q(reader.name)} takes ${q(channel.name)}` },
                consistencyLabel(store),
                orderingLabel(channel),
              ],
              notes: [
                `path: ${writer.name} → ${store.name}, ${writer.name} → ${channel.name} → ${reader.name} → ${store.name}`,
                'happens-before travels with a message only when both the store and the channel are at least `causal`',
              ],
              help: [`make ${raise.join(' and ')}`],
            }),
          );
        }
      }
    }
  }
  return found;
}

/** T303: several agents write an `eventual` store that has no merge rule. */
function lostUpdates(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const store of team.stores.values()) {
    if (store.consistency !== 'eventual' || store.merge !== undefined || store.writers.length < 2) continue;
    const related: Label[] = [];
    for (const name of store.writers) {
      const writer = team.agents.get(name);
      const write = writer?.writes.find((w) => w.store === store.name);
      if (writer && write) related.push({ file: writer.file, span: write.span, message: `${q(name)} writes it` });
    }
    const isList = store.type.kind === 'array' || (store.type.kind === 'named' && store.type.declaration.type.kind === 'array');
    found.push(
      createDiagnostic({
        code: 'T303',
        args: { store: store.name, writers: store.writers },
        at: { file: store.file, span: store.nameSpan },
        label: 'no `merge` rule',
        related,
        notes: ['an eventual store reconciles concurrent writes only by its merge rule; without one, the last write replaces the others'],
        help: [isList ? `add \`merge append\` to ${q(store.name)}` : `add \`merge lww\` to ${q(store.name)} if losing all but the last write is intended, or give each writer its own store`],
      }),
    );
  }
  return found;
}

/**
 * T304: a `strong` store or `total` channel whose writers (more than one instance in all) are on
 * the critical path. The speed-up is the analyser's Amdahl figure for the team with those writers
 * taking turns.
 */
function serialisingGuarantees(team: TeamModel): Diagnostic[] {
  const candidates: Array<{ kind: 'store' | 'channel'; name: string; guarantee: string; writers: string[]; file: string; span: { start: number; end: number } }> = [];
  const instances = (names: string[]) => names.reduce((sum, name) => sum + (team.agents.get(name)?.replicas ?? 1), 0);
  for (const store of team.stores.values()) {
    if (store.consistency === 'strong' && instances(store.writers) > 1) {
      candidates.push({ kind: 'store', name: store.name, guarantee: 'strong', writers: store.writers, file: store.file, span: store.spans.consistency ?? store.nameSpan });
    }
  }
  for (const channel of team.channels.values()) {
    if (channel.ordering === 'total' && instances(channel.producers) > 1) {
      candidates.push({ kind: 'channel', name: channel.name, guarantee: 'total', writers: channel.producers, file: channel.file, span: channel.spans.ordering ?? channel.nameSpan });
    }
  }
  if (candidates.length === 0) return [];
  // The analyser's own projection of the team (every strong store's writers and total channel's
  // producers serialised), so the figure is the one `teamc analyze` prints.
  const inputs = analysisInputsFromModel(team);
  const report = analyzeAgentGraph(inputs.agents, inputs.agentOptions);
  const onPath = new Set(report.criticalPath.agents);
  const found: Diagnostic[] = [];
  for (const candidate of candidates) {
    const critical = candidate.writers.filter((w) => onPath.has(w));
    if (critical.length === 0) continue;
    found.push(
      createDiagnostic({
        code: 'T304',
        args: { kind: candidate.kind, name: candidate.name, guarantee: candidate.guarantee, writers: instances(candidate.writers), speedup: report.amdahl.speedup },
        at: { file: candidate.file, span: candidate.span },
        label: `every write waits for its turn`,
        related: critical.flatMap((name) => {
          const agent = team.agents.get(name)!;
          return [{ file: agent.file, span: agent.nameSpan, message: `${q(name)} (${agent.replicas} instance${agent.replicas === 1 ? '' : 's'}) is on the critical path` }];
        }),
        notes: [`Amdahl's law: with a serial fraction of ${Math.round((1 - report.parallelFraction) * 100)}%, ${report.teamSize} instances give at most ${Number(report.amdahl.speedup.toFixed(1))}×`],
        help: [
          candidate.kind === 'store'
            ? `if no reader needs one global order, make ${q(candidate.name)} \`consistency causal\` with a \`merge\` rule`
            : `if no consumer needs one global order, make ${q(candidate.name)} \`ordering causal\``,
        ],
      }),
    );
  }
  return found;
}

/**
 * T305: tasks of one work graph that may run at the same time (neither reaches the other through
 * `after`) and write the same target, with no `lease` and no store merge rule for that target.
 *
 * Tasks are grouped by target first. Within a group taken in topological order, the tasks are
 * all ordered exactly when each one reaches the next (reachability is transitive), so a group of
 * k tasks needs k − 1 reachability questions, never a question per pair; the first consecutive
 * pair with no path is two tasks that may overlap.
 */
function concurrentTaskWrites(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const work of team.work.values()) {
    if (work.leaseMs !== undefined) continue;
    const order = topologicalOrder(work);
    const byTarget = new Map<string, string[]>();
    for (const name of order) {
      for (const target of new Set(work.tasks.get(name)!.writes)) {
        if (team.stores.get(target)?.merge !== undefined) continue;
        const group = byTarget.get(target);
        if (group) group.push(name);
        else byTarget.set(target, [name]);
      }
    }
    for (const [target, group] of byTarget) {
      for (let i = 0; i + 1 < group.length; i++) {
        if (reaches(work, group[i]!, group[i + 1]!)) continue;
        const first = work.tasks.get(group[i]!)!;
        const second = work.tasks.get(group[i + 1]!)!;
        found.push(
          createDiagnostic({
            code: 'T305',
            args: { work: work.name, first: first.name, second: second.name, target },
            at: { file: second.file, span: second.spans.writes ?? second.nameSpan },
            label: `writes "${target}"`,
            related: [{ file: first.file, span: first.spans.writes ?? first.nameSpan, message: `${q(first.name)} writes "${target}" too, with no \`after\` path between them` }],
            notes: ['tasks with no `after` path between them may run at once on different workers; the later write replaces the earlier'],
            help: ['give each task its own file, or order them with `after`'],
          }),
        );
        break; // one report per target: the fix for the first pair changes the rest
      }
    }
  }
  return found;
}

/** Kahn's algorithm over `after`; tasks on a dependency cycle (reported elsewhere) are left out. */
function topologicalOrder(work: WorkModel): string[] {
  const waiting = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const task of work.tasks.values()) {
    const after = task.after.filter((name) => work.tasks.has(name));
    waiting.set(task.name, after.length);
    for (const before of after) {
      const list = next.get(before);
      if (list) list.push(task.name);
      else next.set(before, [task.name]);
    }
  }
  const order = [...work.tasks.keys()].filter((name) => waiting.get(name) === 0);
  for (let head = 0; head < order.length; head++) {
    for (const successor of next.get(order[head]!) ?? []) {
      const left = waiting.get(successor)! - 1;
      waiting.set(successor, left);
      if (left === 0) order.push(successor);
    }
  }
  return order;
}

/** Whether `later` comes (transitively) after `earlier`: a search backwards from `later`. */
function reaches(work: WorkModel, earlier: string, later: string): boolean {
  const seen = new Set<string>([later]);
  const stack = [later];
  while (stack.length > 0) {
    for (const before of work.tasks.get(stack.pop()!)?.after ?? []) {
      if (before === earlier) return true;
      if (!seen.has(before)) {
        seen.add(before);
        stack.push(before);
      }
    }
  }
  return false;
}
