import type { Diagnostic, Label, Location, Severity } from './diagnostic.js';

/**
 * The one registry of diagnostic codes. A code's entry gives its default severity, a title (the
 * catalogue line, used in listings and SARIF rules) and a message template typed by its
 * arguments. Explanation pages live in `docs/diagnostics/<code>.md`.
 *
 * Adding a diagnostic = one entry here, one rule that reports it, one docs page, fixtures.
 */
interface Definition<Args> {
  severity: Severity;
  title: string;
  message: (args: Args) => string;
}

function define<Args = Record<string, never>>(definition: Definition<Args>): Definition<Args> {
  return definition;
}

const q = (name: string) => `\`${name}\``;
const list = (names: readonly string[]) => names.map(q).join(', ');
const chain = (names: readonly string[]) => names.map(q).join(' → ');
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** A duration as the language writes it: `500ms`, `45s`, `2m 30s`, `1h 5m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}

/** A count as the language writes sizes: `950`, `20k`, `1.5M`, `2G` (at most one decimal). */
export function formatCount(count: number): string {
  const scales: Array<[string, number]> = [['G', 1e9], ['M', 1e6], ['k', 1e3]];
  for (const [suffix, size] of scales) {
    if (Math.abs(count) >= size) return `${Number((count / size).toFixed(1))}${suffix}`;
  }
  return String(Math.round(count));
}

/** Dollars with cents: `$0.42`, `$12.00`. */
export function formatMoney(dollars: number): string {
  return `$${dollars.toFixed(2)}`;
}

/** A ratio such as a speed-up: `1.3×`. */
const times = (ratio: number) => `${Number(ratio.toFixed(1))}×`;

export const diagnostics = {
  // Syntax and names ----------------------------------------------------------------------------
  T100: define<{ message: string }>({
    severity: 'error',
    title: 'syntax error',
    message: ({ message }) => message,
  }),
  T101: define<{ what: string; name: string }>({
    severity: 'error',
    title: 'unknown name',
    message: ({ what, name }) => `unknown ${what} ${q(name)}`,
  }),
  T102: define<{ what: string; name: string }>({
    severity: 'error',
    title: 'duplicate declaration',
    message: ({ what, name }) => `${what} ${q(name)} is declared more than once`,
  }),
  T103: define<{ message: string }>({
    severity: 'error',
    title: 'unknown or duplicate property, or a value of the wrong kind',
    message: ({ message }) => message,
  }),
  T104: define<{ message: string }>({
    severity: 'error',
    title: 'a file of the program cannot be loaded (unreadable import, import cycle, invalid teamc.json)',
    message: ({ message }) => message,
  }),

  T105: define<{ codes: string[]; problem: 'no-reason' | 'no-code' | 'not-suppressible' }>({
    severity: 'error',
    title: 'suppression without a reason',
    message: ({ codes, problem }) =>
      problem === 'no-reason'
        ? `\`teamc-ignore ${codes.join(', ')}\` gives no reason: say why the rule does not apply here`
        : problem === 'no-code'
          ? '`teamc-ignore` names no diagnostic code: write `// teamc-ignore T500: reason`'
          : `${list(codes)} cannot be suppressed: only the rules about the design (T300 and up) can`,
  }),
  T106: define<{ code: string }>({
    severity: 'warning',
    title: 'a suppression that suppresses nothing',
    message: ({ code }) => `\`teamc-ignore ${code}\` suppresses nothing: no ${code} is reported on the declaration after it`,
  }),

  // Types and templates -------------------------------------------------------------------------
  T200: define<{ producer: string; produced: string; target: string; expected: string }>({
    severity: 'error',
    title: "a producer's output type is not assignable to the channel's or store's type",
    message: ({ producer, produced, target, expected }) =>
      `${q(producer)} produces ${q(produced)}, which does not fit ${target} of type ${q(expected)}`,
  }),
  T201: define<{ message: string }>({
    severity: 'error',
    title: "a consumer takes a channel whose type does not fit what its prompt uses",
    message: ({ message }) => message,
  }),
  T202: define<{ agent: string; variable: string }>({
    severity: 'error',
    title: "a prompt template names a variable that is not among the agent's inputs",
    message: ({ agent, variable }) => `the prompt of ${q(agent)} uses ${q(variable)}, which ${q(agent)} does not take or read`,
  }),
  T203: define<{ message: string }>({
    severity: 'error',
    title: "a template uses a field the variable's type lacks, or iterates a non-array",
    message: ({ message }) => message,
  }),
  T204: define<{ agent: string; fallback: string; expected: string; actual: string }>({
    severity: 'error',
    title: "a fallback agent's output type differs from the agent it stands in for",
    message: ({ agent, fallback, expected, actual }) =>
      `fallback ${q(fallback)} outputs ${q(actual)}, but ${q(agent)} outputs ${q(expected)}`,
  }),
  T205: define<{ output: string; source: string; expected: string; actual: string }>({
    severity: 'error',
    title: 'a team output comes from something that cannot produce its type',
    message: ({ output, source, expected, actual }) =>
      `team output ${q(output)} expects ${q(expected)}, but ${q(source)} produces ${q(actual)}`,
  }),
  T206: define<{ message: string }>({
    severity: 'error',
    title: 'a prompt template does not parse, or uses an unknown helper',
    message: ({ message }) => message,
  }),
  T207: define<{ message: string }>({
    severity: 'error',
    title: 'a template reads a field through a value that may be null, with no guard',
    message: ({ message }) => message,
  }),
  T208: define<{ agent: string; variable: string; role: 'fallback' | 'validator' | 'lead'; served: string }>({
    severity: 'error',
    title: 'a fallback, validator or work lead uses a variable the agent it serves does not give it',
    message: ({ agent, variable, role, served }) =>
      `the prompt of ${q(agent)} uses ${q(variable)}, which ${role === 'lead' ? 'work ' : ''}${q(served)} does not give its ${role} ${q(agent)}`,
  }),

  // Ordering and consistency --------------------------------------------------------------------
  T300: define<{ agent: string; channel: string; required: string; provided: string }>({
    severity: 'error',
    title: 'an agent requires an ordering the channel does not provide',
    message: ({ agent, channel, required, provided }) =>
      `${q(agent)} requires ${q(required)} order on ${q(channel)}, but ${q(channel)} only provides ${q(provided)}`,
  }),
  T301: define<{ agent: string; store: string; required: string; provided: string }>({
    severity: 'error',
    title: "an agent requires a store consistency above the store's",
    message: ({ agent, store, required, provided }) =>
      `${q(agent)} requires ${q(required)} reads of ${q(store)}, but ${q(store)} is only ${q(provided)}`,
  }),
  T302: define<{ writer: string; store: string; channel: string; reader: string; consistency: string; ordering: string }>({
    severity: 'error',
    title: 'cross-channel causality: a message can arrive before the store write it follows',
    message: ({ writer, store, channel, reader, consistency, ordering }) =>
      `${q(reader)} can take a message on ${q(channel)} before it can read what ${q(writer)} wrote to ${q(store)} first ` +
      `(store ${q(store)} is ${q(consistency)}, channel ${q(channel)} is ${q(ordering)}; both must be at least \`causal\`)`,
  }),
  T303: define<{ store: string; writers: string[] }>({
    severity: 'error',
    title: 'several writers to an eventual store with no merge rule (lost updates)',
    message: ({ store, writers }) =>
      `${plural(writers.length, 'writer')} (${list(writers)}) share the \`eventual\` store ${q(store)}, which has no \`merge\` rule: concurrent writes are lost`,
  }),
  T304: define<{ kind: 'channel' | 'store'; name: string; guarantee: string; writers: number; speedup: number }>({
    severity: 'warning',
    title: 'a total ordering or strong store with many writers on the critical path serialises the team',
    message: ({ kind, name, guarantee, writers, speedup }) =>
      `${kind} ${q(name)} is ${q(guarantee)} with ${plural(writers, 'writer')} on the critical path: ` +
      `their writes take turns, which caps the team's speed-up at ${times(speedup)}`,
  }),
  T305: define<{ work: string; first: string; second: string; target: string }>({
    severity: 'error',
    title: 'two tasks that may run at the same time write the same file or key',
    message: ({ work, first, second, target }) =>
      `tasks ${q(first)} and ${q(second)} of ${q(work)} may run at the same time and both write "${target}", ` +
      `with no \`lease\` or merge rule: one overwrites the other`,
  }),

  // Delivery and effects ------------------------------------------------------------------------
  T400: define<{ channel: string; agent: string; tool: string }>({
    severity: 'error',
    title: 'an at-least-once channel feeds an agent that calls an effect without an idempotency key',
    message: ({ channel, agent, tool }) =>
      `${q(channel)} is \`at_least_once\` and feeds ${q(agent)}, which calls effect ${q(tool)} with no idempotency \`key\`: ` +
      `a redelivered message repeats the effect`,
  }),
  T401: define<{ agent: string; policy: 'retry' | 'hedge'; attempts: number; tool: string }>({
    severity: 'error',
    title: '`retry` or `hedge` on an agent with un-keyed effects',
    message: ({ agent, policy, attempts, tool }) =>
      `${q(agent)} has \`${policy}\` but calls effect ${q(tool)} with no idempotency \`key\`: ` +
      `one activation can apply it up to ${attempts} times`,
  }),
  T402: define<{ channel: string; output: string }>({
    severity: 'error',
    title: '`at_most_once` channel on a path to a team output with no retry or fallback',
    message: ({ channel, output }) =>
      `${q(channel)} is \`at_most_once\` on the way to team output ${q(output)}, with no retry or fallback on that path: ` +
      `one lost message loses the run`,
  }),
  T403: define<{ channel: string; capacity: number; consumer: string }>({
    severity: 'warning',
    title: 'a bounded channel with no back-pressure policy',
    message: ({ channel, capacity, consumer }) =>
      `${q(channel)} holds at most ${capacity} messages but has no \`backpressure\` policy: ` +
      `what happens when producers outpace ${q(consumer)} is left undecided`,
  }),

  // Fault policies ------------------------------------------------------------------------------
  T500: define<{ agent: string; model: string }>({
    severity: 'warning',
    title: 'an agent calls a model with no `timeout`',
    message: ({ agent, model }) => `${q(agent)} calls model ${q(model)} with no \`timeout\`: one hung call stalls the team`,
  }),
  T501: define<{ cycle: string[] }>({
    severity: 'error',
    title: 'a `fallback` chain loops',
    message: ({ cycle }) => `the fallback chain loops: ${chain(cycle)}`,
  }),
  T502: define<{ agent: string; cooldownMs: number }>({
    severity: 'warning',
    title: 'a `breaker` with no `fallback`',
    message: ({ agent, cooldownMs }) =>
      `${q(agent)} has a \`breaker\` but no \`fallback\`: while it is open (${formatDuration(cooldownMs)}), every activation fails at once`,
  }),
  T503: define<{ agent: string; problem: 'no-backoff'; attempts: number } | { agent: string; problem: 'no-jitter'; replicas: number }>({
    severity: 'warning',
    title: 'retry without backoff, or backoff without jitter across replicas',
    message: (args) =>
      args.problem === 'no-backoff'
        ? `${q(args.agent)} retries ${args.attempts - 1} times with no \`backoff\`: it hammers a failing model with no pause`
        : `${q(args.agent)} backs off without \`jitter\` across ${args.replicas} replicas: they retry in lockstep (thundering herd)`,
  }),
  T504: define<{ worstCaseMs: number; deadlineMs: number; path: string[] }>({
    severity: 'error',
    title: "the worst-case latency of the critical path exceeds the team's `deadline`",
    message: ({ worstCaseMs, deadlineMs, path }) =>
      `the critical path ${chain(path)} can take ${formatDuration(worstCaseMs)} in the worst case, ` +
      `more than the team's deadline of ${formatDuration(deadlineMs)}`,
  }),
  T505: define<{ agent: string }>({
    severity: 'warning',
    title: 'a single point of failure',
    message: ({ agent }) =>
      `${q(agent)} is a single point of failure: it is on every path to the output, with no retry, fallback or replicas`,
  }),

  // Consensus -----------------------------------------------------------------------------------
  T600: define<{ quorum: number; replicas: number }>({
    severity: 'error',
    title: 'quorums can fail to intersect (quorum ≤ n/2)',
    message: ({ quorum, replicas }) =>
      `quorum ${quorum} of ${replicas} can split: two quorums need not share a replica ` +
      `(need quorum > ${replicas}/2, at least ${Math.floor(replicas / 2) + 1})`,
  }),
  T601: define<{ replicas: number; faults: number; quorum: number }>({
    severity: 'error',
    title: 'crash faults: n < 2f + 1, or quorum > n − f',
    message: ({ replicas, faults, quorum }) =>
      replicas < 2 * faults + 1
        ? `${plural(replicas, 'replica')} cannot tolerate ${plural(faults, 'crash fault')}: need n ≥ 2f + 1 = ${2 * faults + 1}`
        : `quorum ${quorum} of ${replicas} cannot be reached with ${faults} crashed: only n − f = ${replicas - faults} can vote`,
  }),
  T602: define<{ replicas: number; faults: number; quorum: number }>({
    severity: 'error',
    title: 'Byzantine faults: n < 3f + 1, or quorum < 2f + 1',
    message: ({ replicas, faults, quorum }) =>
      replicas < 3 * faults + 1
        ? `${plural(replicas, 'replica')} cannot tolerate ${plural(faults, 'Byzantine fault')}: need n ≥ 3f + 1 = ${3 * faults + 1}`
        : `quorum ${quorum} with ${plural(faults, 'Byzantine fault')} lets lying replicas decide: need quorum ≥ 2f + 1 = ${2 * faults + 1}`,
  }),
  T603: define<{ consensus: string; field: string; problem: 'missing'; type: string } | { consensus: string; field: string; problem: 'free-text' }>({
    severity: 'warning',
    title: '`agree on` names a field the output lacks, or free text with no normaliser',
    message: (args) =>
      args.problem === 'missing'
        ? `${q(args.consensus)} agrees on ${q(args.field)}, which ${q(args.type)} does not have`
        : `${q(args.consensus)} agrees on free text ${q(args.field)} with no \`normalize\`: replicas rarely agree word for word`,
  }),
  T604: define<{ consensus: string }>({
    severity: 'error',
    title: 'consensus with no `rounds` bound and no tie-break',
    message: ({ consensus }) =>
      `${q(consensus)} has no \`rounds\` bound and no \`tie_break\`: a split vote may never be decided`,
  }),

  // Termination, time and money -----------------------------------------------------------------
  T700: define<{ cycle: string[] }>({
    severity: 'error',
    title: 'a cycle among agents with no `max rounds` bound',
    message: ({ cycle }) => `the cycle ${chain(cycle)} has no \`max rounds\` bound: the run may never end`,
  }),
  T701: define<{ unit: 'tokens' | 'dollars'; worstCase: number; budget: number }>({
    severity: 'error',
    title: 'worst-case spend exceeds the team `budget`',
    message: ({ unit, worstCase, budget }) =>
      unit === 'tokens'
        ? `the worst-case spend is ${formatCount(worstCase)} tokens, over the team's budget of ${formatCount(budget)} tokens`
        : `the worst-case cost is ${formatMoney(worstCase)}, over the team's budget of ${formatMoney(budget)}`,
  }),
  T702: define<{ team: string; because: 'cycles' | 'retries' | 'cycles and retries' }>({
    severity: 'warning',
    title: 'no `budget` on a team with cycles or retries',
    message: ({ team, because }) => `${q(team)} has ${because} but no \`budget\`: nothing bounds what a run can spend`,
  }),
  T703: define<{ work: string; cycle: string[] }>({
    severity: 'error',
    title: "a cycle among a work graph's tasks (`after`)",
    message: ({ work, cycle }) => `the tasks of ${q(work)} wait for each other in a cycle, ${chain(cycle)}: none of them can ever start`,
  }),

  // Capabilities --------------------------------------------------------------------------------
  T800: define<{ agent: string; action: 'emit on' | 'write' | 'call'; target: string; via: string }>({
    severity: 'error',
    title: 'an agent emits, writes or calls something it did not declare',
    message: ({ agent, action, target, via }) => `${via} makes ${q(agent)} ${action} ${target}, which ${q(agent)} does not declare`,
  }),
  T801: define<{ what: string; name: string; why: 'no-consumer' | 'no-producer' | 'unreachable' | 'unused' }>({
    severity: 'warning',
    title: 'a declaration nobody uses',
    message: ({ what, name, why }) =>
      `${what} ${q(name)} ${
        { 'no-consumer': 'has no consumer', 'no-producer': 'has no producer', unreachable: "is unreachable from the team's inputs", unused: 'is never used' }[why]
      }`,
  }),
  T802: define<{ looksLike: string }>({
    severity: 'error',
    title: 'a literal that looks like a secret',
    message: ({ looksLike }) => `this string looks like ${looksLike}: secrets come from the environment, never from the file`,
  }),

  // Design advice -------------------------------------------------------------------------------
  T900: define<{ team: string; speedup: number; costRatio: number }>({
    severity: 'warning',
    title: 'the task graph is (nearly) serial',
    message: ({ team, speedup, costRatio }) =>
      `${q(team)} is nearly serial: predicted speed-up ${times(speedup)} at ${times(costRatio)} the cost of a single agent, ` +
      `which is likely as fast and cheaper`,
  }),
  T901: define<{ agents: number; messagesPerRound: number }>({
    severity: 'note',
    title: 'all-to-all communication: messages grow as n²',
    message: ({ agents, messagesPerRound }) =>
      `all-to-all communication among ${agents} agents: ${messagesPerRound} messages per round, growing as n²`,
  }),
  T902: define<{ agent: string; replicas: number; width: number }>({
    severity: 'warning',
    title: "more replicas than the graph's width can use",
    message: ({ agent, replicas, width }) =>
      `${q(agent)} has ${plural(replicas, 'replica')}, but at most ${width} can ever work at once: ${replicas - width} will sit idle`,
  }),
} satisfies Record<string, Definition<never>>;

export type DiagnosticCode = keyof typeof diagnostics;
export type DiagnosticArgs<C extends DiagnosticCode> = Parameters<(typeof diagnostics)[C]['message']>[0];

export interface Report<C extends DiagnosticCode> {
  code: C;
  args: DiagnosticArgs<C>;
  at: Location;
  label?: string;
  related?: Label[];
  notes?: string[];
  help?: string[];
  severity?: Severity;
}

export function createDiagnostic<C extends DiagnosticCode>(report: Report<C>): Diagnostic {
  const definition = diagnostics[report.code] as Definition<DiagnosticArgs<C>>;
  return {
    code: report.code,
    severity: report.severity ?? definition.severity,
    message: definition.message(report.args),
    file: report.at.file,
    span: report.at.span,
    ...(report.label === undefined ? {} : { label: report.label }),
    related: report.related ?? [],
    notes: report.notes ?? [],
    help: report.help ?? [],
  };
}

export function isKnownCode(code: string): code is DiagnosticCode {
  return Object.hasOwn(diagnostics, code);
}
