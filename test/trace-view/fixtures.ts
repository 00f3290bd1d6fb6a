/**
 * Traces to view: a plausible code-review run written event by event the way the runtime records
 * it (policy names `agent#instance`, the attempt order of `docs/runtime/policies.md`, consensus
 * events attributed to the consensus), and a large seeded one for the speed tests.
 */
import type { ErrorInfo, TraceEvent, UsageInfo } from '../../runtime/trace.js';
import { seededRandom } from '../../runtime/random.js';

const BUDGET = { tokens: 100_000, dollars: 1 };

/** Books like the runtime's `Budget`: what is left is the limit less spent and held. */
class Books {
  spent = { tokens: 0, dollars: 0 };
  held = { tokens: 0, dollars: 0 };
  remaining(): UsageInfo {
    return { tokens: BUDGET.tokens - this.spent.tokens - this.held.tokens, dollars: round(BUDGET.dollars - this.spent.dollars - this.held.dollars) };
  }
}

const round = (n: number) => Math.round(n * 1e9) / 1e9;
const ESTIMATE = { tokens: 6000, dollars: 0.02 };

interface Attempt {
  agent: string;
  policy: string;
  attempt: number;
  start: number;
  end: number;
  outcome: 'ok' | 'error' | 'timeout' | 'cancelled';
  usage?: UsageInfo;
  error?: ErrorInfo;
  model?: string;
  timeoutMs?: number;
}

/**
 * The code-review team: `team` hands the pull request to three reviewers (security, style, tests);
 * security's slow first attempt is hedged, style's first attempt fails with a 503 and is retried,
 * tests times out, fails its retry, opens its breaker and falls back to tests_lite; each reviewer
 * sends its review to the judge, whose three replicas vote under consensus `verdict`; two approve
 * and the decision is taken; the breaker goes half-open after its cool-down.
 */
export function codeReviewTrace(options: { agentName?: (name: string) => string } = {}): TraceEvent[] {
  const name = options.agentName ?? ((n: string) => n);
  const security = name('security');
  const style = name('style');
  const tests = name('tests');
  const testsLite = name('tests_lite');
  const judge = name('judge');
  const events: TraceEvent[] = [];
  const books = new Books();
  const push = (event: TraceEvent) => events.push(event);

  const begin = (a: Omit<Attempt, 'end' | 'outcome'>) => {
    books.held.tokens += ESTIMATE.tokens;
    books.held.dollars += ESTIMATE.dollars;
    push({ kind: 'budget', agent: a.agent, time: a.start, action: 'reserve', requested: ESTIMATE, remaining: books.remaining(), policy: a.policy });
    push({ kind: 'call-start', agent: a.agent, time: a.start, attempt: a.attempt, policy: a.policy, ...(a.model ? { model: a.model } : {}) });
  };
  const finish = (a: Attempt) => {
    if (a.outcome === 'timeout') push({ kind: 'timeout', agent: a.agent, time: a.end, timeoutMs: a.timeoutMs ?? a.end - a.start, policy: a.policy });
    const actual = a.usage ?? ESTIMATE; // an attempt reporting no usage is charged its estimate
    books.held.tokens -= ESTIMATE.tokens;
    books.held.dollars -= ESTIMATE.dollars;
    books.spent.tokens += actual.tokens ?? 0;
    books.spent.dollars += actual.dollars ?? 0;
    push({ kind: 'budget', agent: a.agent, time: a.end, action: 'settle', requested: ESTIMATE, actual, remaining: books.remaining(), policy: a.policy });
    push({
      kind: 'call-end',
      agent: a.agent,
      time: a.end,
      attempt: a.attempt,
      outcome: a.outcome,
      durationMs: a.end - a.start,
      policy: a.policy,
      ...(a.error ? { error: a.error } : {}),
      ...(a.usage ? { usage: a.usage } : {}),
    });
  };
  const send = (from: string, to: string, channel: string, message: string, sent: number, delivered: number, seq: number) => {
    push({ kind: 'send', agent: from, time: sent, channel, message, seq });
    push({ kind: 'deliver', agent: to, time: delivered, channel, message, from, seq });
  };

  push({ kind: 'run-start', agent: 'team', time: 0, team: 'code-review', clock: 'virtual', seed: 42, input: { pr: 1234 } });
  push({ kind: 'send', agent: 'team', time: 0, channel: 'pull_request', message: 'pr-1234', seq: 1 });
  for (const reviewer of [security, style, tests]) push({ kind: 'deliver', agent: reviewer, time: 2, channel: 'pull_request', message: 'pr-1234', from: 'team', seq: 1 });

  // security: a slow first attempt, hedged after 3 s; the hedge copy wins and the original is cancelled.
  const sec1 = { agent: security, policy: `${security}#0`, attempt: 1, start: 2, model: 'gpt-4.1' };
  begin(sec1);
  // style: a 503, a retry after 400 ms, then an answer.
  const sty1 = { agent: style, policy: `${style}#0`, attempt: 1, start: 2, model: 'gpt-4.1-mini' };
  begin(sty1);
  // tests: times out at 5 s, its retry fails, the breaker opens, tests_lite stands in.
  const tst1 = { agent: tests, policy: `${tests}#0`, attempt: 1, start: 2, model: 'gpt-4.1' };
  begin(tst1);

  const unavailable: ErrorInfo = { name: 'ProviderError', message: '503 Service Unavailable', status: 503 };
  finish({ ...sty1, end: 900, outcome: 'error', error: unavailable, usage: { tokens: 0, dollars: 0 } });
  push({ kind: 'retry', agent: style, time: 900, action: 'scheduled', retry: 1, delayMs: 400, policy: `${style}#0`, error: unavailable });
  const sty2 = { ...sty1, attempt: 2, start: 1300 };
  begin(sty2);
  push({ kind: 'hedge', agent: security, time: 3002, action: 'fired', branch: 1, afterMs: 3000, policy: `${security}#0` });
  const sec2 = { ...sec1, attempt: 2, start: 3002 };
  begin(sec2);
  finish({ ...sty2, end: 3100, outcome: 'ok', usage: { tokens: 2400, dollars: 0.0031 } });
  send(style, judge, 'reviews', 'review-style', 3110, 3124, 1);
  finish({ ...sec2, end: 4400, outcome: 'ok', usage: { tokens: 2100, dollars: 0.0062 } });
  push({ kind: 'hedge', agent: security, time: 4400, action: 'won', branch: 1, aborted: [0], policy: `${security}#0` });
  finish({ ...sec1, end: 4400, outcome: 'cancelled', error: { name: 'HedgeLostError', message: 'another copy answered first' }, usage: { tokens: 1500, dollars: 0.004 } });
  send(security, judge, 'reviews', 'review-security', 4410, 4425, 2);

  finish({ ...tst1, end: 5002, outcome: 'timeout', timeoutMs: 5000, error: { name: 'TimeoutError', message: 'timed out after 5000ms', timeoutMs: 5000 } });
  const timedOut: ErrorInfo = { name: 'TimeoutError', message: 'timed out after 5000ms' };
  push({ kind: 'retry', agent: tests, time: 5002, action: 'scheduled', retry: 1, delayMs: 250, policy: `${tests}#0`, error: timedOut });
  const tst2 = { ...tst1, attempt: 2, start: 5252 };
  begin(tst2);
  const upstream: ErrorInfo = { name: 'ProviderError', message: '500 upstream error', status: 500 };
  finish({ ...tst2, end: 6000, outcome: 'error', error: upstream, usage: { tokens: 300, dollars: 0.0004 } });
  push({ kind: 'retry', agent: tests, time: 6000, action: 'given-up', attempts: 2, reason: 'attempts-exhausted', policy: `${tests}#0`, error: upstream });
  push({ kind: 'breaker', agent: tests, time: 6000, breaker: `${tests}#0`, state: 'open', from: 'closed', reason: '1 failure within 60000ms' });
  push({ kind: 'fallback', agent: tests, time: 6000, from: `${tests}#0`, to: testsLite, error: upstream });
  const lite = { agent: testsLite, policy: `${testsLite}#0`, attempt: 1, start: 6000, model: 'gpt-4.1-nano' };
  begin(lite);
  finish({ ...lite, end: 7200, outcome: 'ok', usage: { tokens: 900, dollars: 0.0009 } });
  send(tests, judge, 'reviews', 'review-tests', 7210, 7230, 3);

  // judge: three replicas answer; replica 2 asks for changes, 1 and 0 approve; quorum 2.
  const judges = [0, 1, 2].map((i) => ({ agent: judge, policy: `${judge}#${i}`, attempt: 1, start: 7230, model: 'gpt-4.1' }));
  judges.forEach(begin);
  finish({ ...judges[2]!, end: 8300, outcome: 'ok', usage: { tokens: 3100, dollars: 0.0081 } });
  push({ kind: 'vote', agent: 'verdict', time: 8300, consensus: 'verdict', round: 1, replica: 2, outcome: 'answer', key: 'request-changes' });
  finish({ ...judges[1]!, end: 8800, outcome: 'ok', usage: { tokens: 2900, dollars: 0.0077 } });
  push({ kind: 'vote', agent: 'verdict', time: 8800, consensus: 'verdict', round: 1, replica: 1, outcome: 'answer', key: 'approve' });
  push({ kind: 'breaker', agent: tests, time: 9000, breaker: `${tests}#0`, state: 'half-open', from: 'open', reason: 'cool-down elapsed' });
  finish({ ...judges[0]!, end: 9100, outcome: 'ok', usage: { tokens: 3000, dollars: 0.0079 } });
  push({ kind: 'vote', agent: 'verdict', time: 9100, consensus: 'verdict', round: 1, replica: 0, outcome: 'answer', key: 'approve' });
  push({ kind: 'round', agent: 'verdict', time: 9100, consensus: 'verdict', round: 1, tally: { approve: 2, 'request-changes': 1 }, crashed: 0, decided: true });
  push({
    kind: 'decision',
    agent: 'verdict',
    time: 9100,
    consensus: 'verdict',
    round: 1,
    key: 'approve',
    value: { verdict: 'approve' },
    votes: 3,
    quorum: 2,
    supporters: [1, 0],
    byQuorum: true,
  });
  push({ kind: 'run-end', agent: 'team', time: 9120, outcome: 'ok', output: { verdict: 'approve' } });
  return events;
}

/**
 * A large seeded trace of about `size` events: `agents` agents with three replicas each, calls
 * with every outcome, retries, hedges, messages between random agents, breaker flips and votes.
 */
export function largeTrace(size: number, seed = 7, agents = 24): TraceEvent[] {
  const random = seededRandom(seed);
  const events: TraceEvent[] = [{ kind: 'run-start', agent: 'team', time: 0, team: 'large', clock: 'virtual', seed }];
  const names = Array.from({ length: agents }, (_, i) => `agent_${i}`);
  const clocks = new Map<string, number>(); // per lane: when its next call may start
  let time = 0;
  let message = 0;
  const outcomes = ['ok', 'ok', 'ok', 'ok', 'error', 'timeout', 'invalid', 'cancelled'] as const;
  while (events.length < size) {
    const agent = random.pick(names);
    const instance = random.int(0, 2);
    const policy = `${agent}#${instance}`;
    const start = Math.max(clocks.get(policy) ?? 0, time);
    let end = start;
    const attempts = random.int(1, 3);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const begin = end + (attempt > 1 ? random.int(50, 400) : 0);
      end = begin + random.int(200, 4000);
      const outcome = attempt === attempts ? 'ok' : random.pick(outcomes);
      events.push({ kind: 'call-start', agent, time: begin, attempt, policy });
      events.push({ kind: 'call-end', agent, time: end, attempt, outcome, durationMs: end - begin, policy, usage: { tokens: random.int(100, 3000), dollars: 0.001 } });
      if (attempt < attempts) events.push({ kind: 'retry', agent, time: end, action: 'scheduled', retry: attempt, delayMs: 100, policy, error: { name: 'Error', message: 'flaky' } });
    }
    if (random.chance(0.05)) {
      events.push({ kind: 'breaker', agent, time: end, breaker: policy, state: random.pick(['open', 'half-open', 'closed'] as const) });
    }
    clocks.set(policy, end);
    const to = random.pick(names);
    const id = `m${message++}`;
    events.push({ kind: 'send', agent, time: end, channel: 'work', message: id, seq: message });
    events.push({ kind: 'deliver', agent: to, time: end + random.int(1, 50), channel: 'work', message: id, from: agent, seq: message });
    if (random.chance(0.1)) events.push({ kind: 'vote', agent: 'consensus', time: end, consensus: 'consensus', round: 1, replica: instance, outcome: 'answer', key: random.pick(['yes', 'no']) });
    time += random.int(0, 120);
  }
  const last = events.reduce((latest, event) => Math.max(latest, event.time), 0);
  events.push({ kind: 'run-end', agent: 'team', time: last + 10, outcome: 'ok' });
  return events;
}

/** A name built to break out of every context the page puts it in. */
export const HOSTILE = `</script><img src=x onerror="alert(1)">'"&<b>`;

export function toJsonLines(events: readonly TraceEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}
