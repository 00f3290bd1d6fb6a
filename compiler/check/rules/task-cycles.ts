/**
 * Task cycles (T703): does every task of a work graph have a way to start?
 *
 * A task starts once every task in its `after` is done, so tasks that wait for each other round a
 * cycle never start, and the runtime refuses such a graph before the run begins (`createTeam`:
 * "dependency cycle"). The graph per work: tasks as nodes, an edge from a task to each task it
 * waits for. Its strongly connected components (Tarjan) hold the cycles; each cyclic component is
 * reported once, with a shortest cycle through its first-declared task. That task's edge in the
 * cycle always points at a task declared after it (or at itself) — the odd one out in a graph
 * written top down — so it is the primary span and the `after` the help suggests removing.
 * Linear in the tasks and `after` items.
 */
import { createDigraph, shortestCycle, stronglyConnected } from '../../analyze/graph.js';
import type { Diagnostic, Label } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/registry.js';
import type { TaskModel, TeamModel, WorkModel } from '../../model.js';

export function checkTaskCycles(team: TeamModel): Diagnostic[] {
  return [...team.work.values()].flatMap(taskCycles);
}

function taskCycles(work: WorkModel): Diagnostic[] {
  const tasks = [...work.tasks.values()];
  const index = new Map(tasks.map((t, i) => [t.name, i]));
  const from: number[] = [];
  const to: number[] = [];
  for (const [i, task] of tasks.entries()) {
    for (const name of task.after) {
      const target = index.get(name);
      if (target !== undefined) (from.push(i), to.push(target));
    }
  }
  const graph = createDigraph(tasks.map((t) => t.name), from, to);
  const components = stronglyConnected(graph);
  const diagnostics: Diagnostic[] = [];
  components.members.forEach((members, id) => {
    if (!components.cyclic[id]) return;
    const cycle = shortestCycle(graph, (w) => components.component[w] === id, members[0]!).map((v) => tasks[v]!);
    diagnostics.push(report(work, cycle));
  });
  // Tarjan emits components in reverse topological order; report in declaration order.
  return diagnostics.sort((a, b) => a.span.start - b.span.start);
}

/** `cycle[i]` waits for `cycle[i + 1]`, wrapping round; `cycle[0]` is the first-declared member. */
function report(work: WorkModel, cycle: TaskModel[]): Diagnostic {
  const edges: Label[] = cycle.map((task, i) => {
    const next = cycle[(i + 1) % cycle.length]!;
    const k = task.after.indexOf(next.name);
    return { file: task.file, span: task.afterSpans[k] ?? task.spans.after ?? task.nameSpan, message: `\`${task.name}\` waits for \`${next.name}\`` };
  });
  const [first, ...rest] = edges;
  const head = cycle[0]!;
  const waitsFor = cycle[1 % cycle.length]!;
  const self = cycle.length === 1;
  return createDiagnostic({
    code: 'T703',
    args: { work: work.name, cycle: [...cycle, head].map((t) => t.name) },
    at: first!,
    label: self ? `\`${head.name}\` waits for itself` : `${first!.message}, declared after it`,
    related: rest.map((edge, i) => (i === rest.length - 1 ? { ...edge, message: `${edge.message}, closing the cycle` } : edge)),
    notes: [
      'a task starts only once every task in its `after` is done: round a cycle each waits for the next, so none starts, and the runtime refuses the graph before the run begins',
    ],
    help: [
      head.after.length === 1
        ? `remove \`after ${waitsFor.name}\` from task \`${head.name}\``
        : `remove \`${waitsFor.name}\` from the \`after\` of task \`${head.name}\``,
    ],
  });
}

