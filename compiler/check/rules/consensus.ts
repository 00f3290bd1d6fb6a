/**
 * Consensus (T600–T604): whether a vote among replicas can be safe and can end.
 *
 * The arithmetic is the classic quorum arithmetic for n replicas, quorum q and f faults:
 * - safety needs any two quorums to intersect: 2q > n (T600);
 * - with f crashes, n ≥ 2f + 1 and q ≤ n − f, or the survivors cannot reach a quorum (T601);
 * - with f Byzantine replicas (a hallucinating model is one), n ≥ 3f + 1 and q ≥ 2f + 1, so
 *   every quorum holds more honest replicas than liars (T602).
 * Each consensus is checked on its own: linear in the declarations.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/registry.js';
import type { ConsensusModel, FieldModel, TeamModel, Type } from '../../model.js';
import { fieldOf, present, typeToString } from '../types.js';
import type { RuleContext } from './context.js';

export function checkConsensus(team: TeamModel, _ctx: RuleContext): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const consensus of team.consensus.values()) {
    diagnostics.push(...quorumProblems(consensus), ...agreementProblems(consensus), ...termination(consensus));
  }
  return diagnostics;
}

const at = (c: ConsensusModel, property: 'quorum' | 'replicas' | 'faults' | 'agree') => ({ file: c.file, span: c.spans[property] ?? c.nameSpan });
const majorityOf = (n: number) => Math.floor(n / 2) + 1;
const numberWords = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const countOf = (count: number, singular: string, pluralForm: string) => `${numberWords[count] ?? count} ${count === 1 ? singular : pluralForm}`;

function quorumProblems(c: ConsensusModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const n = c.replicas;
  const q = c.quorumSize;
  const f = c.faults.count;
  const quorumWords = `\`quorum ${c.quorum}\` (${q} of ${n})`;

  if (2 * q <= n) {
    diagnostics.push(
      createDiagnostic({
        code: 'T600',
        args: { quorum: q, replicas: n },
        at: at(c, 'quorum'),
        label: `${q} of ${n} is not a majority`,
        related: [{ file: c.file, span: c.spans.replicas ?? c.nameSpan, message: `${n} replicas vote in \`${c.name}\`` }],
        notes: ['two quorums are sure to share a replica only when quorum > n/2; without a shared replica, two conflicting values can both be decided'],
        help: [`use \`quorum majority\` (${majorityOf(n)} of ${n})`],
      }),
    );
  }

  if (c.faults.model === 'crash' && f > 0) {
    if (n < 2 * f + 1) {
      diagnostics.push(
        createDiagnostic({
          code: 'T601',
          args: { replicas: n, faults: f, quorum: q },
          at: at(c, 'replicas'),
          label: `too few replicas for ${countOf(f, 'crash', 'crashes')}`,
          related: [{ file: c.file, span: c.spans.faults ?? c.nameSpan, message: `${f} crash ${f === 1 ? 'fault' : 'faults'} declared here` }],
          notes: ['with f replicas down, the n − f survivors must still form a majority: n ≥ 2f + 1'],
          help: [`use \`replicas ${2 * f + 1}\` with \`quorum majority\``],
        }),
      );
    } else if (q > n - f) {
      diagnostics.push(
        createDiagnostic({
          code: 'T601',
          args: { replicas: n, faults: f, quorum: q },
          at: at(c, 'quorum'),
          label: `${quorumWords} needs more votes than the survivors can give`,
          related: [{ file: c.file, span: c.spans.faults ?? c.nameSpan, message: `${f} crash ${f === 1 ? 'fault' : 'faults'} declared here` }],
          notes: ['a vote must be decidable by the replicas still up: quorum ≤ n − f'],
          help: [`use \`quorum majority\` (${majorityOf(n)} of ${n}), which tolerates ${countOf(f, 'crash', 'crashes')}`],
        }),
      );
    }
  }

  if (c.faults.model === 'byzantine' && f > 0) {
    const related = [{ file: c.file, span: c.spans.faults ?? c.nameSpan, message: `${f} Byzantine ${f === 1 ? 'fault' : 'faults'} declared here` }];
    if (n < 3 * f + 1) {
      diagnostics.push(
        createDiagnostic({
          code: 'T602',
          args: { replicas: n, faults: f, quorum: q },
          at: at(c, 'replicas'),
          label: `too few replicas for ${countOf(f, 'Byzantine fault', 'Byzantine faults')}`,
          related,
          notes: ['replicas that lie can also stay silent: to outvote f liars among the n − f that answer, n ≥ 3f + 1'],
          help: [`use \`replicas ${3 * f + 1}\` with \`quorum ${2 * f + 1}\``],
        }),
      );
    } else if (q < 2 * f + 1) {
      diagnostics.push(
        createDiagnostic({
          code: 'T602',
          args: { replicas: n, faults: f, quorum: q },
          at: at(c, 'quorum'),
          label: `${quorumWords} can be made of liars and too few honest replicas`,
          related,
          notes: ['a quorum of 2f + 1 holds at least f + 1 honest replicas, more than the f that lie'],
          help: [`use \`quorum ${2 * f + 1}\``],
        }),
      );
    }
  }
  return diagnostics;
}

/** T603: each `agree on` path must exist in the decided type, and free text needs a normaliser. */
function agreementProblems(c: ConsensusModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const path of c.agreeOn) {
    const field = path.join('.');
    const resolved = resolvePath(c.output, path);
    if (resolved.kind === 'missing') {
      const typeName = typeToString(c.output);
      diagnostics.push(
        createDiagnostic({
          code: 'T603',
          args: { consensus: c.name, field, problem: 'missing', type: typeName },
          at: at(c, 'agree'),
          label: `not a field of \`${typeToString(resolved.owner)}\``,
          related: [{ file: c.file, span: c.overSpan, message: `the replicas of \`${c.over}\` output \`${typeName}\`` }],
          notes: ['replicas are compared on the named fields; a field the output lacks compares equal every time, so any answers "agree"'],
          help: resolved.candidates.length > 0 ? [`agree on one of ${resolved.candidates.map((name) => `\`${name}\``).join(', ')}`] : [`agree on a field of \`${typeName}\``],
        }),
      );
    } else if (resolved.kind === 'found' && present(resolved.type).kind === 'string' && c.normalize === undefined) {
      const closed = closedFields(c.output);
      diagnostics.push(
        createDiagnostic({
          code: 'T603',
          args: { consensus: c.name, field, problem: 'free-text' },
          at: at(c, 'agree'),
          label: `\`${field}\` is free text`,
          related: resolved.field?.file && resolved.field.span ? [{ file: resolved.field.file, span: resolved.field.span, message: `\`${field}\` is a \`string\`` }] : [],
          notes: ['independent model answers almost never match word for word: the vote splits and falls to its tie-break'],
          help: [
            closed.length > 0
              ? `agree on \`${closed[0]}\`, a field with few values`
              : `add \`normalize trim_lower\` after \`agree on ${field}\`, or agree on a field with few values`,
          ],
        }),
      );
    }
  }
  return diagnostics;
}

type PathLookup =
  | { kind: 'found'; type: Type; field?: FieldModel }
  | { kind: 'missing'; owner: Type; candidates: string[] }
  /** The type cannot be known (already reported): nothing to say. */
  | { kind: 'unknown' };

function resolvePath(type: Type, path: readonly string[]): PathLookup {
  let current = type;
  let field: FieldModel | undefined;
  for (const name of path) {
    const shape = present(current);
    if (shape.kind === 'unknown') return { kind: 'unknown' };
    const found = fieldOf(current, name);
    if (found.kind === 'missing') return { kind: 'missing', owner: current, candidates: found.candidates };
    if (found.kind === 'not-a-record') return { kind: 'missing', owner: current, candidates: [] };
    field = shape.kind === 'record' ? shape.fieldsByName.get(name) : undefined;
    current = found.type;
  }
  return field ? { kind: 'found', type: current, field } : { kind: 'found', type: current };
}

/** Top-level fields with few possible values (a literal union or a boolean): good things to vote on. */
function closedFields(type: Type): string[] {
  const shape = present(type);
  if (shape.kind !== 'record') return [];
  return shape.fields
    .filter((f) => {
      const t = present(f.type);
      return t.kind === 'bool' || t.kind === 'literal' || (t.kind === 'union' && t.members.every((m) => present(m).kind === 'literal'));
    })
    .map((f) => f.name);
}

/** T604: a vote that can split forever. */
function termination(c: ConsensusModel): Diagnostic[] {
  if (c.rounds !== undefined || c.tieBreak !== undefined) return [];
  return [
    createDiagnostic({
      code: 'T604',
      args: { consensus: c.name },
      at: { file: c.file, span: c.nameSpan },
      label: 'no `rounds` and no `tie_break`',
      notes: ['no protocol can guarantee a decision among replicas that keep disagreeing (FLP): the vote needs a bound or a rule for a split'],
      help: ['add `rounds 2` and `tie_break reject`'],
    }),
  ];
}
