/**
 * What must survive simulation: every accepted fixture of the checker and every example, each
 * under every fault the simulator can deal, all at once, for thousands of seeds — with no
 * violation of any guarantee. A survival proves something only if the faults were really dealt
 * and the runs did what the checkers judge, so that is asserted too. The designs are split in two
 * halves, one per test file, so the two workers share the load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loopsOf } from '../../../../runtime/simulate/index.js';
import { build, examples, fixtures, survive } from './harness.js';

/**
 * Every fault at once: the models' (errors, hangs, cut-off and invalid answers, wrong answers,
 * stragglers, honest disagreement among replicas, critics that never approve, answers that run to
 * their max_tokens), crashed consensus replicas, and a network that drops, duplicates and reorders.
 */
export const ALL_FAULTS =
  'model-errors=0.1,timeouts=0.05,malformed=0.05,schema-invalid=0.05,stragglers=0.1,wrong-answers=0.1,disagreement=0.2,stubborn=0.3,verbose=0.2,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1';

export const SEEDS = 2000;

export const designs: string[] = [
  ...fs
    .readdirSync(fixtures)
    .filter((f) => f.endsWith('-accept.team'))
    .sort()
    .map((f) => path.join(fixtures, f)),
  ...fs
    .readdirSync(examples)
    .filter((f) => f.endsWith('.team') && f !== 'models.team')
    .sort()
    .map((f) => path.join(examples, f)),
];

export function surviveHalf(half: 0 | 1): void {
  describe(`accepted designs survive ${SEEDS} seeds of every fault (half ${half + 1} of 2)`, () => {
    for (const file of designs.filter((_, i) => i % 2 === half)) {
      it(path.basename(file), async () => {
        const { definition, errors } = build(file);
        expect(errors).toEqual([]);
        const survival = await survive(definition, { faults: ALL_FAULTS, seeds: SEEDS, prefix: path.basename(file) });
        expect(survival.violations.slice(0, 3)).toEqual([]);

        // The design ran: a good share of runs ended with the output (under this many faults a
        // long work graph often fails typed, which is no violation).
        expect(survival.successes).toBeGreaterThan(SEEDS * 0.2);
        // The faults were dealt.
        expect(survival.injected.malformed ?? 0).toBeGreaterThan(0);
        if (definition.channels.length > 0) expect(survival.network.dropped).toBeGreaterThan(0);
        if (definition.consensus.length > 0) expect(survival.injected.crashedReplicas).toBeGreaterThanOrEqual(SEEDS);
        if (loopsOf(definition).length > 0) expect(survival.injected.stubbornAgents ?? 0).toBeGreaterThan(0);

        // And the runs traced what the checkers judge.
        const traced = (kinds: string[]) => expect([...survival.kinds]).toEqual(expect.arrayContaining(kinds));
        if (definition.stores.length > 0) traced(['write', 'read', 'store-state']);
        if (definition.work.length > 0) traced(['task']);
        if (definition.channels.length > 0) traced(['send', 'deliver', 'ack']);
        if (definition.consensus.length > 0) traced(['vote', 'decision']);
      }, 300_000);
    }
  });
}
