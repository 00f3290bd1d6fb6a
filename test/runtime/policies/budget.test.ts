import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import { Budget, withBudget } from '../../../runtime/policies/budget.js';
import { BudgetExhaustedError } from '../../../runtime/policies/errors.js';
import { eventLog } from './helpers.js';

const never = () => new AbortController().signal;

describe('budget', () => {
  it('reserves before, settles after, and refuses what does not fit — naming the resource', () => {
    const budget = new Budget({ tokens: 1000, dollars: 0.05 });
    const a = budget.reserve({ tokens: 600, dollars: 0.01 });
    expect(budget.remaining()).toEqual({ tokens: 400, dollars: 0.04 });
    // 600 held + 500 asked > 1000: refused although nothing is spent yet.
    const refused = (() => {
      try {
        budget.reserve({ tokens: 500 });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(BudgetExhaustedError);
    expect(refused).toMatchObject({ resource: 'tokens', limit: 1000, spent: 0, reserved: 600, requested: 500 });
    expect((refused as Error).message).toMatch(/tokens/);
    a.settle({ tokens: 250, dollars: 0.004 });
    expect(budget.spent()).toEqual({ tokens: 250, dollars: 0.004 });
    expect(budget.reserved()).toEqual({ tokens: 0, dollars: 0 });
    expect(() => budget.reserve({ tokens: 100, dollars: 0.05 })).toThrow(expect.objectContaining({ resource: 'dollars' }));
    a.settle({ tokens: 999 }); // settling twice changes nothing
    expect(budget.spent().tokens).toBe(250);
  });

  it('adds dollars without float drift refusing an exact fit', () => {
    const budget = new Budget({ dollars: 1 });
    for (let i = 0; i < 10; i++) budget.reserve({ dollars: 0.1 }).settle({ dollars: 0.1 });
    expect(() => budget.reserve({ dollars: 0.01 })).toThrow(BudgetExhaustedError);
    expect(budget.exhausted()).toBe('dollars');
  });

  it('concurrent calls never jointly spend more than the limit when estimates are worst cases (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 50, max: 2000 }), fc.integer({ min: 1, max: 30 }), fc.integer(), async (limit, calls, seed) => {
        const clock = new VirtualClock();
        const random = seededRandom(seed);
        const budget = new Budget({ tokens: limit });
        const policy = withBudget<{ used: number }>({ budget, estimate: { tokens: 100 }, usageOf: (r) => ({ tokens: r.used }) }, { clock });
        const running = Array.from({ length: calls }, () => {
          const latency = random.int(0, 500);
          const used = random.int(0, 100);
          const fails = random.chance(0.2);
          return policy(() => clock.sleep(latency).then(() => (fails ? Promise.reject(new Error('x')) : { used })))(never(), 1).catch((e: unknown) => e);
        });
        await clock.run(Promise.all(running));
        expect(budget.spent().tokens).toBeLessThanOrEqual(limit);
        expect(budget.reserved().tokens).toBe(0);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('charges a failed call its estimate unless the error reports usage, and reports reserve/settle events', async () => {
    const clock = new VirtualClock();
    const budget = new Budget({ tokens: 1000 });
    const log = eventLog();
    const policy = withBudget<string>({ budget, estimate: { tokens: 300 } }, { clock, onEvent: log.sink, name: 'writer' });
    await policy(() => Promise.reject(new Error('timeout')))(never(), 1).catch(() => {});
    expect(budget.spent().tokens).toBe(300);
    await policy(() => Promise.reject(Object.assign(new Error('429'), { usage: { tokens: 12 } })))(never(), 1).catch(() => {});
    expect(budget.spent().tokens).toBe(312);
    expect(log.types()).toEqual(['budget-reserve', 'budget-settle', 'budget-reserve', 'budget-settle']);
    expect(log.events[3]).toMatchObject({ policy: 'writer', actual: { tokens: 12 }, remaining: { tokens: 688 } });
  });

  it('rejects a negative limit', () => {
    expect(() => new Budget({ tokens: -1 })).toThrow(RangeError);
  });
});
