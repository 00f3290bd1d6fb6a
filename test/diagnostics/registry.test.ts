import { describe, expect, it } from 'vitest';
import { createDiagnostic, formatCount, formatDuration, formatMoney } from '../../compiler/diagnostics/registry.js';

const at = { file: '/t.team', span: { start: 0, end: 1 } };

describe('number formats in messages', () => {
  it.each([
    [250, '250ms'],
    [1000, '1s'],
    [45_000, '45s'],
    [150_000, '2m 30s'],
    [242_000, '4m 2s'],
    [3_900_000, '1h 5m'],
    [90_061_000, '1d 1h'], // two units are enough to compare with a deadline
  ])('formatDuration(%i) is %s', (ms, expected) => expect(formatDuration(ms)).toBe(expected));

  it.each([
    [950, '950'],
    [20_000, '20k'],
    [24_000, '24k'],
    [1_500_000, '1.5M'],
    [2_000_000_000, '2G'],
  ])('formatCount(%i) is %s', (count, expected) => expect(formatCount(count)).toBe(expected));

  it('formats money with cents', () => {
    expect(formatMoney(8)).toBe('$8.00');
    expect(formatMoney(0.425)).toBe('$0.42');
  });
});

describe('messages state the contradiction with its numbers', () => {
  const message = (d: ReturnType<typeof createDiagnostic>) => `${d.severity}[${d.code}]: ${d.message}`;

  it('quorum intersection (T600)', () => {
    expect(message(createDiagnostic({ code: 'T600', args: { quorum: 2, replicas: 4 }, at }))).toBe(
      'error[T600]: quorum 2 of 4 can split: two quorums need not share a replica (need quorum > 4/2, at least 3)',
    );
    expect(createDiagnostic({ code: 'T600', args: { quorum: 2, replicas: 5 }, at }).message).toContain('at least 3');
  });

  it('crash and Byzantine fault bounds name the condition that fails (T601, T602)', () => {
    expect(createDiagnostic({ code: 'T601', args: { replicas: 3, faults: 2, quorum: 2 }, at }).message).toBe(
      '3 replicas cannot tolerate 2 crash faults: need n ≥ 2f + 1 = 5',
    );
    expect(createDiagnostic({ code: 'T601', args: { replicas: 3, faults: 1, quorum: 3 }, at }).message).toBe(
      'quorum 3 of 3 cannot be reached with 1 crashed: only n − f = 2 can vote',
    );
    expect(createDiagnostic({ code: 'T602', args: { replicas: 3, faults: 1, quorum: 2 }, at }).message).toBe(
      '3 replicas cannot tolerate 1 Byzantine fault: need n ≥ 3f + 1 = 4',
    );
    expect(createDiagnostic({ code: 'T602', args: { replicas: 4, faults: 1, quorum: 2 }, at }).message).toBe(
      'quorum 2 with 1 Byzantine fault lets lying replicas decide: need quorum ≥ 2f + 1 = 3',
    );
  });

  it('time and money (T504, T701) and advice (T304, T900) print the computed figures', () => {
    expect(createDiagnostic({ code: 'T504', args: { worstCaseMs: 242_000, deadlineMs: 120_000, path: ['planner', 'writer'] }, at }).message).toBe(
      "the critical path `planner` → `writer` can take 4m 2s in the worst case, more than the team's deadline of 2m",
    );
    expect(createDiagnostic({ code: 'T701', args: { unit: 'tokens', worstCase: 24_000, budget: 20_000 }, at }).message).toBe(
      "the worst-case spend is 24k tokens, over the team's budget of 20k tokens",
    );
    expect(createDiagnostic({ code: 'T701', args: { unit: 'dollars', worstCase: 12.4, budget: 8 }, at }).message).toBe(
      "the worst-case cost is $12.40, over the team's budget of $8.00",
    );
    expect(createDiagnostic({ code: 'T304', args: { kind: 'store', name: 'ledger', guarantee: 'strong', writers: 4, speedup: 1.34 }, at }).message).toContain(
      'caps the team\'s speed-up at 1.3×',
    );
    const t900 = createDiagnostic({ code: 'T900', args: { team: 'P', speedup: 1.05, costRatio: 3 }, at });
    expect(t900.severity).toBe('warning');
    expect(t900.message).toBe('`P` is nearly serial: predicted speed-up 1.1× at 3× the cost of a single agent, which is likely as fast and cheaper');
  });

  it('union-shaped arguments pick their sentence (T503, T603)', () => {
    expect(createDiagnostic({ code: 'T503', args: { agent: 'r', problem: 'no-backoff', attempts: 4 }, at }).message).toBe(
      '`r` retries 3 times with no `backoff`: it hammers a failing model with no pause',
    );
    expect(createDiagnostic({ code: 'T503', args: { agent: 'r', problem: 'no-jitter', replicas: 4 }, at }).message).toContain('across 4 replicas');
    expect(createDiagnostic({ code: 'T603', args: { consensus: 'd', field: 'decison', problem: 'missing', type: 'Verdict' }, at }).message).toBe(
      '`d` agrees on `decison`, which `Verdict` does not have',
    );
  });
});
