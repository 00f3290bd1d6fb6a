/**
 * `teamc analyze FILE`: the analyser's reports for each team of a checked file — its agent graph,
 * then each work graph — as text, or with `--json` as one JSON document. The reports are computed
 * from the same in-memory `TeamDefinition` that `teamc run` executes, so the prediction is about
 * exactly what runs. Analysis runs nothing, so checker errors are printed but do not stop it; they
 * still make the exit code 1.
 */
import { analyzeTeam, formatReport, type TeamReports } from '../analyze/index.js';
import { DefinitionError, toTeamDefinition } from '../definition/from-model.js';
import { openTeams, selectTeams } from './run.js';
import { ExitCode, type Terminal } from './terminal.js';

export interface AnalyzeCommandOptions {
  json?: boolean;
  /** Work-graph tables cover 1..workers. */
  workers?: number;
  team?: string;
}

export function runAnalyze(file: string, options: AnalyzeCommandOptions, terminal: Terminal): number {
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 1)) {
    terminal.stderr(`teamc: --workers must be a whole number of at least 1, got ${options.workers}`);
    return ExitCode.Usage;
  }
  const opened = openTeams(file, terminal, { refuseOnErrors: false, verb: 'analyze' });
  if (typeof opened === 'number') return opened;
  const teams = selectTeams(opened.teams, options.team, terminal, { one: false });
  if (typeof teams === 'number') return teams;

  const reports: TeamReports[] = [];
  for (const team of teams) {
    try {
      reports.push(analyzeTeam(toTeamDefinition(team), options.workers !== undefined ? { maxWorkers: options.workers } : {}));
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      terminal.stderr(`teamc: ${error.message.replace(/^cannot run/, 'cannot analyze')}`);
      return ExitCode.Diagnostics;
    }
  }

  if (options.json) {
    terminal.stdout(JSON.stringify({ teams: reports }, null, 2));
  } else {
    const sections: string[] = [];
    for (const report of reports) {
      sections.push(`team ${report.team}\n\n${formatReport(report.agents)}`);
      for (const work of report.work) sections.push(`team ${report.team}, work ${work.name}\n\n${formatReport(work.report)}`);
    }
    terminal.stdout(sections.join('\n'));
  }
  if (opened.errors > 0) {
    terminal.stderr(`teamc: analysed despite ${opened.errors} checker error${opened.errors === 1 ? '' : 's'}: the figures describe a team that would not pass \`teamc check\``);
    return ExitCode.Diagnostics;
  }
  return ExitCode.Ok;
}
