import { describe, expect, it } from 'vitest';
import type { TeamDefinition } from '../../../runtime/definition.js';
import {
  atLeastOnceChecker,
  causalChecker,
  consensusSafetyChecker,
  ddmin,
  formatCounterexample,
  shrink,
  simulate,
  simulateRun,
} from '../../../runtime/simulate/index.js';
import { collectorTeam, ledgerTeam, votingTeam } from './teams.js';
import * as t from './traces.js';

const def = (d: unknown) => d as TeamDefinition<unknown, unknown>;

describe('ddmin', () => {
  it('finds a 1-minimal subset for which the property holds', () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    // Holds when the subset contains 7, 23 and at least one multiple of 10 above 20.
    const test = (s: readonly number[]) => s.includes(7) && s.includes(23) && s.some((x) => x > 20 && x % 10 === 0);
    const result = ddmin(items, test);
    expect(result).toHaveLength(3);
    expect(test(result)).toBe(true);
    for (let i = 0; i < result.length; i++) expect(test(result.filter((_, j) => j !== i))).toBe(false);
  });

  it('stops when its budget runs out, keeping a subset that still holds', () => {
    let calls = 0;
    const test = (s: readonly number[]) => s.includes(3);
    const result = ddmin([1, 2, 3, 4, 5, 6, 7, 8], test, () => ++calls < 3);
    expect(test(result)).toBe(true);
  });
});

describe('shrinking a violation', () => {
  it('keeps the two deliveries out of order and their publishes, dropping the noise around them', () => {
    const trace = [
      t.start(),
      t.noise(1),
      t.publish(2, 'writer', 'entries', 1),
      t.noise(2),
      t.publish(3, 'writer', 'entries', 2),
      t.noise(4),
      t.deliver(5, 'reader', 'writer', 'entries', 2),
      t.noise(5),
      t.deliver(6, 'reader', 'writer', 'entries', 1),
      t.noise(7),
      t.noise(8),
      t.endOk(9),
    ];
    const definition = def(ledgerTeam('causal'));
    const [found] = causalChecker.check(trace, definition);
    const example = shrink(trace, found!, definition, { seed: 'x/1' });
    expect(example.prefixLength).toBe(9); // nothing after the late delivery is needed
    expect(example.events.map((e) => e.index)).toEqual([2, 4, 6, 8]);
    const text = formatCounterexample(example);
    expect(text).toContain('causal violated (entries→reader)');
    expect(text).toContain('reproduce with seed x/1');
    expect(text).toContain('shown by 4 of the first 9 events (the run has 12)');
    expect(text).toMatch(/#\s+6\s+5ms\s+reader\s+deliver\s+entries: handed writer's #2 writer#2 vc \{"writer":2\}/);
  });

  it('adds what the checker cannot do without: a loss shows only once the run has ended', () => {
    const trace = [t.start(), t.publish(1, 'writer', 'entries', 1), t.noise(2), t.publish(2, 'writer', 'entries', 2), t.deliver(3, 'collector', 'writer', 'entries', 2), t.noise(4), t.endOk(40_000)];
    const definition = def(collectorTeam('at_most_once'));
    const [found] = atLeastOnceChecker.check(trace, definition);
    const example = shrink(trace, found!, definition);
    expect(example.prefixLength).toBe(7);
    expect(example.events.map((e) => e.event.kind)).toEqual(['send', 'run-end']);
  });

  it('keeps the activation that counts the instances beside two decisions', () => {
    const definition = def(votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' } }));
    const trace = [
      t.start(),
      t.activation(0, 'voter', 'voter:1/r1'),
      t.vote(1, 'decide', 1, 0, '"ok"'),
      t.vote(1, 'decide', 1, 1, '"ok"'),
      t.decision(2, 'decide', 1, '"ok"', [0, 1]),
      t.vote(3, 'decide', 2, 1, '"bad"'),
      t.vote(3, 'decide', 2, 2, '"bad"'),
      t.decision(4, 'decide', 2, '"bad"', [1, 2]),
    ];
    const [found] = consensusSafetyChecker.check(trace, definition);
    const example = shrink(trace, found!, definition);
    expect(example.events.map((e) => e.event.kind)).toEqual(['activation', 'decision', 'decision']);
  });
});

describe('a violation found by simulation is reproduced exactly by its seed', () => {
  it('re-running the reported seed gives the same trace, the same violation and the same counterexample', async () => {
    const definition = ledgerTeam('unordered');
    const faults = 'reorder=0.5,delay=1..80';
    const summary = await simulate(definition, { runs: 30, seed: 'repro', faults, input: { topic: 'x' } });
    const group = summary.violations.find((g) => g.kind === 'causal')!;
    expect(group).toBeDefined();
    const [example] = group.examples;
    const seed = example!.seed!;
    expect(seed).toMatch(/^repro\/\d+$/);

    const again = await simulateRun(definition, { seed, faults, input: { topic: 'x' } });
    const twice = await simulateRun(definition, { seed, faults, input: { topic: 'x' } });
    expect(again.trace).toEqual(twice.trace);
    const violation = again.violations.find((v) => v.kind === 'causal')!;
    expect(violation).toEqual(example!.violation);
    const reshrunk = shrink(again.trace, violation, def(definition), { seed });
    expect(reshrunk).toEqual(example);
  });
});
