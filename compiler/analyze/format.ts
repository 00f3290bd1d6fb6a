/**
 * A report as text for a terminal: the headline figures, the table by team size, the advice and
 * the findings. Plain text, no colours (the CLI adds those), deterministic to the character.
 */
import type { Cost, GraphFinding } from './graph.js';
import { times, type AgentReport, type AnalysisReport, type SizeRow, type WorkReport } from './report.js';

export function formatReport(report: AnalysisReport): string {
  return report.kind === 'work' ? formatWork(report) : formatAgents(report);
}

function formatWork(report: WorkReport): string {
  const unit = report.unitMs;
  const time = (value: number) => (unit === null ? number(value) : `${number(value)} (${duration(value * unit)})`);
  const n = report.workers;
  const s = report.schedule;
  const lines = [
    `work graph: ${report.tasks} ${plural(report.tasks, 'task')}, ${n} ${plural(n, 'worker')}, assign ${report.policy}`,
    '',
    ...pairs([
      ['total work W', time(report.totalWork)],
      ['critical path CP', `${time(report.criticalPath.length)}  ${arrow(report.criticalPath.tasks)}`],
      ['parallel fraction p', fraction(report.parallelFraction)],
      [`Amdahl S(${n})`, `${times(report.amdahl.speedup)}  (ceiling ${ceiling(report.amdahl.ceiling)})`],
      [`work-span bound S(${n})`, `≤ ${times(report.workSpan.speedup)}  (never under ${time(report.workSpan.lowerTime)}; greedy by ${time(report.workSpan.greedyTime)})`],
      ['width', `${report.width.width}  (${report.width.antichain.join(', ')})`],
      [`${report.policy} on ${n} ${plural(n, 'worker')}`, `makespan ${time(report.predicted.makespan)}, speed-up ${times(report.predicted.speedup)}, policy bound ${times(report.policyBound)}`],
      ['worker loads', `${s.perWorkerLoad.map(number).join(', ')}  (idle ${number(s.idleTime)}${s.leadDecisions > 0 ? `; ${s.leadDecisions} lead decisions` : ''})`],
      ['cost per run', report.cost ? money(report.cost) : 'unpriced'],
      ['messages per run', `${report.messages.perRun}  (${report.messages.handoffs} hand-offs, ${report.messages.coordination} ${report.policy} messages)`],
    ]),
    '',
    ...table(report.table, time),
  ];
  return finish(lines, report.advice.lines, report.findings);
}

function formatAgents(report: AgentReport): string {
  const n = report.teamSize;
  const lines = [
    `agent graph: ${report.agents} ${plural(report.agents, 'agent')}, ${n} ${plural(n, 'instance')}`,
    '',
    ...pairs([
      ['total work W', `${duration(report.totalWork)}  (model time over every instance)`],
      ['critical path CP', `${duration(report.criticalPath.length)}  ${arrow(report.criticalPath.agents)}`],
      ['parallel fraction p', fraction(report.parallelFraction)],
      [`Amdahl S(${n})`, `${times(report.amdahl.speedup)}  (ceiling ${ceiling(report.amdahl.ceiling)})`],
      [`work-span bound S(${n})`, `≤ ${times(report.workSpan.speedup)}  (never under ${duration(report.workSpan.lowerTime)}; greedy by ${duration(report.workSpan.greedyTime)})`],
      ['predicted makespan', `${duration(report.predicted.makespanMs)}, speed-up ${times(report.predicted.speedup)}, busiest-instance bound ${times(report.policyBound)}`],
      ['cost per run', `${money(report.cost)}${report.costRatio === null ? '' : `  (${times(report.costRatio)} a single agent)`}`],
      ['messages per run', String(report.messages.perRun)],
    ]),
    '',
    ...table(report.table, duration, false),
  ];
  return finish(lines, report.advice.lines, report.findings);
}

function finish(lines: string[], advice: string[], findings: GraphFinding[]): string {
  if (advice.length > 0) lines.push('', 'advice:', ...advice.map((line) => `  - ${line}`));
  if (findings.length > 0) lines.push('', 'findings:', ...findings.map((f) => `  - ${describeFinding(f)}`));
  return `${lines.join('\n')}\n`;
}

export function describeFinding(finding: GraphFinding): string {
  switch (finding.kind) {
    case 'cycle':
      return `cycle ${[...finding.cycle, finding.cycle[0]].join(' → ')} (no bound; figures computed without it)`;
    case 'loop':
      return `loop ${[...finding.cycle, finding.cycle[0]].join(' → ')} unrolled ${finding.rounds} ${plural(finding.rounds, 'round')}`;
    case 'unknown-name':
      return `\`${finding.referencedBy}\` names \`${finding.name}\`, which is not in the graph (ignored)`;
    case 'duplicate-name':
      return `\`${finding.name}\` appears more than once (the first counts)`;
    case 'invalid-number':
      return `\`${finding.name}\`: ${finding.field} ${finding.value} is not valid (counted as ${finding.used})`;
  }
}

// ---------------------------------------------------------------------------------------------

function table(rows: SizeRow[], time: (value: number) => string, withPolicy = true): string[] {
  const header = withPolicy
    ? ['workers', 'Amdahl', 'work-span', 'greedy ≤', 'makespan', 'speed-up', 'policy bound', 'efficiency']
    : ['instances', 'Amdahl', 'work-span', 'greedy ≤'];
  const cells = rows.map((row) => {
    const base = [String(row.workers), times(row.amdahl), times(row.workSpan), time(row.greedyTime)];
    if (!withPolicy) return base;
    return [...base, time(row.makespan!), times(row.speedup!), times(row.loadBound!), `${Math.round(row.efficiency! * 100)}%`];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (cols: string[]) => `  ${cols.map((c, i) => c.padStart(widths[i]!)).join('  ')}`.trimEnd();
  return [line(header), ...cells.map(line)];
}

function pairs(entries: [string, string][]): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`.trimEnd());
}

function arrow(names: string[]): string {
  return names.length === 0 ? '' : `(${names.join(' → ')})`;
}

function ceiling(value: number | null): string {
  return value === null ? 'unbounded' : times(value);
}

function fraction(value: number): string {
  return value.toFixed(3);
}

/** Up to two decimals, trailing zeros dropped: 23, 5.75, 0.33. */
export function number(value: number): string {
  const text = value.toFixed(2);
  return text.replace(/\.?0+$/, '');
}

/** `500ms`, `4s`, `1.5s`, `1m 4s`, `2h 5m`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${number(Math.round(ms / 100) / 10)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return seconds % 60 === 0 ? `${seconds / 60}m` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  const minutes = Math.round(seconds / 60);
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

function money(cost: Cost): string {
  return `${count(cost.tokens)} tokens, $${cost.dollars.toFixed(cost.dollars < 1 ? 4 : 2)}`;
}

/** 1200 → 1.2k, 1500000 → 1.5M (the language's own size notation). */
function count(value: number): string {
  if (value >= 1e9) return `${number(value / 1e9)}G`;
  if (value >= 1e6) return `${number(value / 1e6)}M`;
  if (value >= 1e3) return `${number(value / 1e3)}k`;
  return number(value);
}

function plural(amount: number, word: string): string {
  return amount === 1 ? word : `${word}s`;
}
