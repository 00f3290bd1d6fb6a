/**
 * Front-end benchmark (issue 2, 4): lines per second for lexing, parsing (tokens → CST → AST)
 * and binding + checking, on generated specs of 1k, 10k and 100k lines; and the wall time of a
 * cold `teamc check` process on an example.
 */
import { spawnSync } from 'node:child_process';
import { lex } from '../grammar/lexer.js';
import { checkProgram } from '../compiler/check/index.js';
import { loadProgram } from '../compiler/program.js';
import { createSourceFile } from '../compiler/source.js';
import { parseSourceFile } from '../compiler/syntax/parse.js';
import { countLines, generateSpec } from './generate.js';
import { median, printTable, time, type Row } from './measure.js';

export function frontendBenchmark(): Row[] {
  const rows: Row[] = [];
  for (const target of [1_000, 10_000, 100_000]) {
    const text = generateSpec(target);
    const lines = countLines(text);
    const file = '/bench/spec.team';
    const host = { readFile: (p: string) => (p === file ? text : undefined) };
    const runs = target >= 100_000 ? 5 : 15;

    const lexMs = time(runs, () => lex(text));
    const parseMs = time(runs, () => parseSourceFile(createSourceFile(file, text)));
    const { program, diagnostics } = loadProgram([file], host);
    const checkMs = time(runs, () => checkProgram(program));
    const checkDiagnostics = checkProgram(program).diagnostics.filter((d) => d.severity === 'error');
    if (diagnostics.length > 0 || checkDiagnostics.length > 0) {
      throw new Error(`generated spec of ${lines} lines is not clean: ${[...diagnostics, ...checkDiagnostics][0]!.message}`);
    }
    rows.push({
      spec: `${lines} lines`,
      'lex (lines/s)': Math.round(lines / (lexMs / 1000)),
      'lex+parse (lines/s)': Math.round(lines / (parseMs / 1000)),
      'bind+check (lines/s)': Math.round(lines / (checkMs / 1000)),
      'lex+parse ms': parseMs.toFixed(1),
      'check ms': checkMs.toFixed(1),
      'full ms': (parseMs + checkMs).toFixed(1),
      'check / lex+parse': (checkMs / parseMs).toFixed(2),
    });
  }
  printTable('Front end: lex, parse, bind+check', rows);
  return rows;
}

/** A cold process, as a user or CI starts it: node start, module loading, check, exit. */
export function coldCheckBenchmark(): Row[] {
  const rows: Row[] = [];
  for (const example of ['examples/code-review.team', 'examples/math-library.team']) {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, ['bin/teamc.js', 'check', example], { encoding: 'utf8' });
      samples.push(performance.now() - start);
      if (result.status !== 0) throw new Error(`teamc check ${example} exited ${result.status}: ${result.stderr}`);
    }
    const baseline: number[] = [];
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      baseline.push(performance.now() - start);
    }
    rows.push({
      example,
      'teamc check ms (median of 7)': median(samples).toFixed(0),
      'bare node start ms': median(baseline).toFixed(0),
    });
  }
  printTable('Cold `teamc check` process', rows);
  return rows;
}
