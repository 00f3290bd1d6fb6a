/**
 * Analyser benchmark (issue 7): `teamc analyze` on a whole spec — the full check (whose design
 * rules already read the analyser's figures), then every team's reports — on generated specs of
 * 1k, 10k and 100k lines, to show the time grows linearly; and the analysis alone, without the check.
 */
import { analyzeTeamModel } from '../compiler/analyze/from-model.js';
import { checkFiles } from '../compiler/program.js';
import { countLines, generateSpec } from './generate.js';
import { printTable, time, type Row } from './measure.js';

const targetMs = 1_000;
const targetLines = 10_000;

export function analyzeBenchmark(): Row[] {
  const rows: Row[] = [];
  for (const target of [1_000, 10_000, 100_000]) {
    const text = generateSpec(target);
    const lines = countLines(text);
    const file = '/bench/analyze/spec.team';
    const host = { readFile: (p: string) => (p === file ? text : undefined) };
    const runs = target >= 100_000 ? 3 : target >= 10_000 ? 9 : 15;

    const checked = checkFiles([file], host);
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`generated spec of ${lines} lines is not clean: ${errors[0]!.message}`);
    const teams = checked.model.teams;
    // Every team must yield an agent report and its work graph's, or the timing measures nothing.
    const reports = teams.map((team) => analyzeTeamModel(team));
    if (reports.some((r) => r.work.length === 0)) throw new Error('a team was analysed without its work graph');

    const analyseAll = (model: typeof checked.model) => {
      for (const team of model.teams) analyzeTeamModel(team);
    };
    const bothMs = time(runs, () => analyseAll(checkFiles([file], host).model));
    const checkMs = time(runs, () => checkFiles([file], host));
    const analysisMs = time(runs, () => analyseAll(checked.model));
    const isTarget = target === targetLines;
    rows.push({
      spec: `${lines} lines`,
      teams: teams.length,
      'check + analyse ms': bothMs.toFixed(0),
      'check ms': checkMs.toFixed(0),
      'analysis alone ms': analysisMs.toFixed(1),
      'check + analyse µs / line': ((bothMs * 1000) / lines).toFixed(1),
      'analysis µs / team': ((analysisMs * 1000) / teams.length).toFixed(0),
      target: isTarget ? `< ${targetMs} ms` : '—',
      met: isTarget ? (bothMs < targetMs ? 'yes' : 'NO') : '—',
    });
  }
  printTable('Analyser: check + analyse every team (`teamc analyze`)', rows);
  return rows;
}
