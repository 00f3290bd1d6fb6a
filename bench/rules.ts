/**
 * Checker benchmark (issue 4): the full check (names, types, templates and every rule family) of
 * generated specs, and each rule family's own time, to show none grows faster than the spec.
 */
import { checkProgram } from '../compiler/check/index.js';
import { createRuleContext } from '../compiler/check/rules/context.js';
import { runRules, teamRules } from '../compiler/check/rules/index.js';
import { checkFiles, loadProgram } from '../compiler/program.js';
import { countLines, generateSpec } from './generate.js';
import { printTable, time, type Row } from './measure.js';

export function rulesBenchmark(): Row[] {
  const rows: Row[] = [];
  for (const target of [10_000, 100_000]) {
    const text = generateSpec(target);
    const lines = countLines(text);
    const file = '/bench/spec.team';
    const host = { readFile: (p: string) => (p === file ? text : undefined) };
    const runs = target >= 100_000 ? 5 : 11;
    const fullMs = time(runs, () => checkFiles([file], host));
    const { model } = checkProgram(loadProgram([file], host).program);
    const row: Row = { spec: `${lines} lines`, 'full check ms (parse+bind+types+rules)': fullMs.toFixed(0), 'all rules ms': time(runs, () => runRules(model)).toFixed(1) };
    for (const rule of teamRules) {
      const ctx = createRuleContext(model, {});
      row[`${rule.name} ms`] = time(runs, () => {
        for (const team of model.teams) rule(team, ctx);
      }).toFixed(1);
    }
    rows.push(row);
  }
  printTable('Checker: full check and per-rule-family time', rows);
  return rows;
}
