import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { CircuitBreaker } from '../../../runtime/policies/breaker.js';
import { BudgetExhaustedError, CircuitOpenError } from '../../../runtime/policies/errors.js';
import type { BreakerState } from '../../../runtime/policies/events.js';
import { eventLog } from './helpers.js';

const never = new AbortController().signal;

function breaker(clock: VirtualClock, failures = 3, windowMs = 1000, cooldownMs = 500) {
  const log = eventLog();
  return { breaker: new CircuitBreaker({ name: 'model', failures, windowMs, cooldownMs, clock, onEvent: log.sink }), log };
}

const fail = (b: CircuitBreaker) => b.execute(never, () => Promise.reject(new Error('boom'))).catch((e: unknown) => e);
const succeed = (b: CircuitBreaker) => b.execute(never, () => Promise.resolve('ok'));

describe('circuit breaker', () => {
  it('opens after N failures inside the window, and refuses calls while open', async () => {
    const clock = new VirtualClock();
    const { breaker: b, log } = breaker(clock);
    await fail(b);
    await fail(b);
    expect(b.state).toBe('closed');
    await fail(b);
    expect(b.state).toBe('open');
    let ran = false;
    await expect(
      b.execute(never, async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
    expect(log.events.filter((e) => e.type === 'breaker-change')).toMatchObject([{ from: 'closed', to: 'open', breaker: 'model' }]);
  });

  it('forgets failures older than the window (sliding, not cumulative)', async () => {
    const clock = new VirtualClock();
    const { breaker: b } = breaker(clock, 3, 1000);
    await fail(b);
    await fail(b);
    await clock.advance(1000); // the first two are now exactly one window old: out
    await fail(b);
    expect(b.state).toBe('closed');
    expect(b.recentFailures()).toBe(1);
  });

  it('successes do not reset the window', async () => {
    const clock = new VirtualClock();
    const { breaker: b } = breaker(clock, 2);
    await fail(b);
    await succeed(b);
    await fail(b);
    expect(b.state).toBe('open');
  });

  it('after the cooldown lets exactly one probe through; its success closes, its failure reopens', async () => {
    const clock = new VirtualClock();
    const { breaker: b, log } = breaker(clock, 1, 1000, 500);
    await fail(b);
    await clock.advance(499);
    expect(b.state).toBe('open');
    await clock.advance(1);
    expect(b.state).toBe('half-open');

    const probe = b.acquire();
    expect(probe.probe).toBe(true);
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    probe.failure();
    expect(b.state).toBe('open');

    await clock.advance(500);
    const second = b.acquire();
    second.success();
    expect(b.state).toBe('closed');
    expect(log.events.filter((e) => e.type === 'breaker-change').map((e) => (e.type === 'breaker-change' ? `${e.from}>${e.to}` : ''))).toEqual([
      'closed>open',
      'open>half-open',
      'half-open>open',
      'open>half-open',
      'half-open>closed',
    ]);
  });

  it('a cancelled probe frees the slot without deciding', async () => {
    const clock = new VirtualClock();
    const { breaker: b } = breaker(clock, 1, 1000, 10);
    await fail(b);
    await clock.advance(10);
    const controller = new AbortController();
    const probe = b.execute(controller.signal, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    controller.abort(new Error('caller gave up'));
    await expect(probe).rejects.toThrow('caller gave up');
    expect(b.state).toBe('half-open');
    expect(b.acquire().probe).toBe(true);
  });

  it('ignores stragglers admitted in an earlier closed period', async () => {
    const clock = new VirtualClock();
    const { breaker: b } = breaker(clock, 2, 60_000, 100);
    const straggler = b.acquire(); // admitted while closed, reports much later
    await fail(b);
    await fail(b);
    expect(b.state).toBe('open');
    await clock.advance(100);
    b.acquire().success(); // probe closes it again
    expect(b.state).toBe('closed');
    straggler.failure();
    expect(b.recentFailures()).toBe(0);
  });

  it('does not count budget refusals as failures', async () => {
    const clock = new VirtualClock();
    const { breaker: b } = breaker(clock, 1);
    await b.execute(never, () => Promise.reject(new BudgetExhaustedError('tokens', 10, 10, 0, 5))).catch(() => {});
    expect(b.state).toBe('closed');
  });

  it('matches a reference model for any sequence of successes, failures and time advances', async () => {
    type Op = { kind: 'call'; ok: boolean } | { kind: 'advance'; ms: number } | { kind: 'read' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.boolean().map((ok) => ({ kind: 'call' as const, ok })) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 400 }).map((ms) => ({ kind: 'advance' as const, ms })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'read' as const }) },
    );

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 50, max: 600 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(op, { maxLength: 60 }),
        async (failures, windowMs, cooldownMs, ops) => {
          const clock = new VirtualClock();
          const log = eventLog();
          const b = new CircuitBreaker({ failures, windowMs, cooldownMs, clock, onEvent: log.sink });

          // Reference: the state is a function of the whole history, recomputed from scratch.
          const history: Array<{ at: number; ok: boolean; admitted: boolean }> = [];
          const modelState = (now: number): BreakerState => {
            let state: BreakerState = 'closed';
            let openedAt = 0;
            let windowStart = 0; // failures before this index belong to an earlier closed period
            const effective = (t: number): BreakerState => (state === 'open' && t >= openedAt + cooldownMs ? 'half-open' : state);
            history.forEach((h, i) => {
              if (!h.admitted) return;
              const s = effective(h.at);
              if (s === 'half-open') {
                state = h.ok ? 'closed' : 'open';
                if (h.ok) windowStart = i + 1;
                else openedAt = h.at;
              } else if (s === 'closed' && !h.ok) {
                const recent = history.slice(windowStart, i + 1).filter((x) => x.admitted && !x.ok && x.at > h.at - windowMs);
                if (recent.length >= failures) {
                  state = 'open';
                  openedAt = h.at;
                  windowStart = i + 1;
                }
              }
            });
            return effective(now);
          };

          for (const step of ops) {
            if (step.kind === 'advance') {
              await clock.advance(step.ms);
              continue;
            }
            const expected = modelState(clock.now());
            if (step.kind === 'read') {
              expect(b.state).toBe(expected);
              continue;
            }
            let admitted = true;
            try {
              const permit = b.acquire();
              if (step.ok) permit.success();
              else permit.failure();
            } catch (error) {
              expect(error).toBeInstanceOf(CircuitOpenError);
              admitted = false;
            }
            expect(admitted).toBe(expected !== 'open');
            history.push({ at: clock.now(), ok: step.ok, admitted });
            expect(b.state).toBe(modelState(clock.now()));
          }
          // Reported transitions chain: each starts where the previous ended, along legal edges only.
          const legal = new Set(['closed>open', 'open>half-open', 'half-open>closed', 'half-open>open']);
          const final = b.state;
          let at: BreakerState = 'closed';
          for (const e of log.events) {
            if (e.type !== 'breaker-change') continue;
            expect(e.from).toBe(at);
            expect(legal.has(`${e.from}>${e.to}`)).toBe(true);
            at = e.to;
          }
          expect(at).toBe(final);
        },
      ),
      { numRuns: 400, seed: 20240501 },
    );
  });
});
