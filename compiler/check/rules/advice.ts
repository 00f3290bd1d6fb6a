/**
 * Design advice (T900–T902), read off the analyser's figures for the team (`compiler/analyze`),
 * so `teamc check` and `teamc analyze` never disagree:
 * - T900 the team is nearly serial (Amdahl's speed-up below SERIAL_THRESHOLD);
 * - T901 all-to-all communication on a channel (n × (n − 1) messages a round);
 * - T902 a work graph with more workers than its width can ever keep busy.
 */
import { analysisInputsFromModel } from '../../analyze/from-model.js';
import { analyzeAgentGraph, analyzeWorkGraph, SERIAL_THRESHOLD, times } from '../../analyze/report.js';
import type { Diagnostic, Label } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/registry.js';
import type { TeamModel } from '../../model.js';
import type { RuleContext } from './context.js';
import { flowGraph } from './termination.js';

export function checkAdvice(team: TeamModel, _ctx: RuleContext): Diagnostic[] {
  const inputs = analysisInputsFromModel(team);
  const agents = analyzeAgentGraph(inputs.agents, inputs.agentOptions);
  const work = inputs.work.map((w) => ({ name: w.name, report: analyzeWorkGraph(w.graph, w.options) }));
  const diagnostics: Diagnostic[] = [];

  // T900. Not for: a team of one agent (nothing to merge); a team with a loop (a writer–critic
  // loop is serial by nature: its rounds buy quality, not speed; an unbounded one is T700's);
  // a team whose parallelism is inside a work graph the agent graph sees as one node.
  const activating = [...team.agents.values()].filter((a) => !a.helperOnly);
  const hasLoop = flowGraph(team).loops.length > 0;
  const bestWork = Math.max(0, ...work.map((w) => w.report.amdahl.speedup));
  const speedup = agents.amdahl.speedup;
  if (activating.length > 1 && !hasLoop && speedup < SERIAL_THRESHOLD && bestWork < SERIAL_THRESHOLD) {
    const calls = inputs.agents.nodes.reduce((sum, n) => sum + n.replicas * n.activations, 0);
    // Without token counts, the cost of a team over one agent is its number of model calls.
    const costRatio = agents.costRatio ?? Math.max(1, calls);
    const related: Label[] = agents.criticalPath.agents.flatMap((step) => {
      const agent = team.agents.get(step.split('#')[0]!);
      return agent ? [{ file: agent.file, span: agent.nameSpan, message: 'on the critical path' }] : [];
    });
    diagnostics.push(
      createDiagnostic({
        code: 'T900',
        args: { team: team.name, speedup, costRatio },
        at: { file: team.file, span: team.nameSpan },
        label: `at most ${times(speedup)} faster than one agent`,
        related,
        notes: [
          `Amdahl: with a parallel fraction p = ${agents.parallelFraction.toFixed(2)} on ${agents.amdahl.workers} instances, S = 1 / ((1 − p) + p / n) = ${times(speedup)}`,
        ],
        help: ['let one agent do the whole job, or split the work so that parts run at the same time'],
      }),
    );
  }

  // T901
  for (const group of agents.messages.allToAll) {
    const channel = team.channels.get(group.channel);
    if (!channel) continue;
    diagnostics.push(
      createDiagnostic({
        code: 'T901',
        args: { agents: group.instances, messagesPerRound: group.messagesPerRound },
        at: { file: channel.file, span: channel.nameSpan },
        label: `every instance of ${group.agents.map((a) => `\`${a}\``).join(', ')} sends to every other here`,
        related: group.agents.flatMap((name) => {
          const agent = team.agents.get(name);
          return agent ? [{ file: agent.file, span: agent.nameSpan, message: `emits on and takes \`${channel.name}\`` }] : [];
        }),
        notes: [`n instances exchanging on one channel carry n × (n − 1) messages a round: ${group.messagesPerRun} over ${group.rounds} ${group.rounds === 1 ? 'round' : 'rounds'}`],
        help: ['route through one agent (a hub that takes all of them): n messages a round instead of n × (n − 1)'],
      }),
    );
  }

  // T902
  for (const { name, report } of work) {
    const graph = team.work.get(name)!;
    const agent = team.agents.get(graph.by);
    if (!agent || report.advice.idleWorkers === 0) continue;
    // A graph with a dependency cycle has no width to speak of: none of its tasks can start (T703).
    if (report.findings.some((f) => f.kind === 'cycle')) continue;
    const width = report.width.width;
    diagnostics.push(
      createDiagnostic({
        code: 'T902',
        args: { agent: agent.name, replicas: report.workers, width },
        at: { file: agent.file, span: agent.spans.replicas ?? agent.nameSpan },
        label: `${report.workers} workers for a graph ${width} wide`,
        related: [{ file: graph.file, span: graph.nameSpan, message: `at most ${width} tasks of \`${name}\` can run at once (${report.width.antichain.map((t) => `\`${t}\``).join(', ')})` }],
        notes: ['a work graph never has more tasks ready at once than its width, the largest set of tasks with no `after` path between them (Dilworth)'],
        help: [`use \`replicas ${width}\``],
      }),
    );
  }
  return diagnostics;
}
