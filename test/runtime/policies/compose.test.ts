import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import { Budget } from '../../../runtime/policies/budget.js';
import { CircuitBreaker } from '../../../runtime/policies/breaker.js';
import { composePolicies, type PolicySpec } from '../../../runtime/policies/compose.js';
import { BudgetExhaustedError, CircuitOpenError, FallbackExhaustedError, TimeoutError, ValidationError } from '../../../runtime/policies/errors.js';
import type { RetryOptions } from '../../../runtime/policies/retry.js';
import { eventLog, scriptedCall } from './helpers.js';

const retry3: RetryOptions = { attempts: 3, backoff: 'exponential', minMs: 100, maxMs: 1000, jitter: true };

function setup() {
  const clock = new VirtualClock();
  const log = eventLog();
  const deps = { clock, random: seededRandom('compose'), onEvent: log.sink };
  const breaker = (failures = 2) => new CircuitBreaker({ name: 'model', failures, windowMs: 60_000, cooldownMs: 30_000, clock, onEvent: log.sink });
  return { clock, log, deps, breaker };
}

describe('composePolicies: the documented order', () => {
  it('budget before breaker: a call the budget refuses never reaches the breaker (not even a half-open probe)', async () => {
    const { clock, deps, breaker } = setup();
    const b = breaker(1);
    await b.execute(new AbortController().signal, () => Promise.reject(new Error('down'))).catch(() => {});
    await clock.advance(30_000);
    expect(b.state).toBe('half-open');
    let acquired = 0;
    const acquire = b.acquire.bind(b);
    b.acquire = () => {
      acquired++;
      return acquire();
    };
    const budget = new Budget({ tokens: 100 });
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10, value: 'ok' }]);
    const run = composePolicies<string>({ budget: { budget, estimate: { tokens: 500 } }, breaker: b, retry: retry3 }, deps);
    await expect(clock.run(run(call))).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(acquired).toBe(0);
    expect(calls).toHaveLength(0);
    expect(b.state).toBe('half-open');
    // The probe slot is still free for a call that fits.
    const cheap = composePolicies<string>({ budget: { budget, estimate: { tokens: 50 } }, breaker: b }, deps);
    expect(await clock.run(cheap(call))).toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('an open breaker refuses before any attempt, and the admission reservation is returned', async () => {
    const { clock, deps, breaker } = setup();
    const b = breaker(1);
    await b.execute(new AbortController().signal, () => Promise.reject(new Error('down'))).catch(() => {});
    const budget = new Budget({ tokens: 1000 });
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10, value: 'ok' }]);
    const run = composePolicies<string>({ budget: { budget, estimate: { tokens: 500 } }, breaker: b, retry: retry3 }, deps);
    await expect(clock.run(run(call))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveLength(0);
    expect(budget.spent()).toEqual({ tokens: 0, dollars: 0 });
    expect(budget.reserved()).toEqual({ tokens: 0, dollars: 0 });
  });

  it('retries happen inside one breaker call: a call failing all its attempts is one breaker failure', async () => {
    const { clock, deps, breaker } = setup();
    const b = breaker(2);
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10, error: new Error('503') }]);
    const run = composePolicies<string>({ breaker: b, retry: retry3 }, deps);
    await expect(clock.run(run(call))).rejects.toThrow('503');
    expect(calls).toHaveLength(3);
    expect(b.state).toBe('closed');
    expect(b.recentFailures()).toBe(1);
    await expect(clock.run(run(call))).rejects.toThrow('503');
    expect(b.state).toBe('open');
    // A call that succeeds after failed attempts is a success for the breaker.
    const { clock: c2, deps: d2, breaker: mk } = setup();
    const b2 = mk(1);
    const flaky = scriptedCall<string>(c2, [{ after: 10, error: new Error('503') }, { after: 10, error: new Error('503') }, { after: 10, value: 'ok' }]);
    expect(await c2.run(composePolicies<string>({ breaker: b2, retry: retry3 }, d2)(flaky.call))).toBe('ok');
    expect(b2.state).toBe('closed');
    expect(b2.recentFailures()).toBe(0);
  });

  it('timeout bounds each attempt inside retry, and the events come in order', async () => {
    const { clock, log, deps } = setup();
    const budget = new Budget({ tokens: 10_000 });
    const { call, calls } = scriptedCall<{ text: string; tokens: number }>(clock, [
      { after: 60_000, value: { text: 'never', tokens: 1 } },
      { after: 200, value: { text: 'hello', tokens: 42 } },
    ]);
    const spec: PolicySpec<{ text: string; tokens: number }> = {
      name: 'writer',
      budget: { budget, estimate: { tokens: 500 }, usageOf: (r) => ({ tokens: r.tokens }) },
      retry: retry3,
      timeoutMs: 1000,
    };
    const result = await clock.run(composePolicies(spec, deps)(call));
    expect(result.text).toBe('hello');
    expect(calls[0]!.signal.reason).toBeInstanceOf(TimeoutError);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    // The timed-out attempt is charged its estimate, the answered one what it reported.
    expect(budget.spent().tokens).toBe(542);
    expect(log.types()).toEqual([
      'budget-reserve',
      'attempt-start',
      'timeout',
      'budget-settle',
      'attempt-end',
      'retry-scheduled',
      'budget-reserve',
      'attempt-start',
      'budget-settle',
      'attempt-end',
    ]);
    expect(log.events[4]).toMatchObject({ type: 'attempt-end', attempt: 1, outcome: 'timeout', durationMs: 1000, policy: 'writer' });
    expect(log.events[9]).toMatchObject({ type: 'attempt-end', attempt: 2, outcome: 'ok' });
  });

  it('invalid output is a failed attempt that retry asks again — unless validation is deterministic', async () => {
    const Answer = z.object({ decision: z.enum(['approve', 'reject']) });
    const { clock, log, deps } = setup();
    const { call, calls } = scriptedCall<unknown>(clock, [{ after: 5, value: { decision: 'dunno' } }, { after: 5, value: { decision: 'approve' } }]);
    const run = composePolicies<unknown, z.infer<typeof Answer>>({ retry: retry3, validation: { schema: Answer } }, deps);
    expect(await clock.run(run(call))).toEqual({ decision: 'approve' });
    expect(calls).toHaveLength(2);
    expect(log.events.find((e) => e.type === 'attempt-end')).toMatchObject({ outcome: 'invalid' });

    const { clock: c2, deps: d2, breaker } = setup();
    const b = breaker(1);
    const bad = scriptedCall<unknown>(c2, [{ after: 5, value: { decision: 'dunno' } }]);
    const strict = composePolicies<unknown, z.infer<typeof Answer>>({ breaker: b, retry: retry3, validation: { schema: Answer, deterministic: true } }, d2);
    await expect(c2.run(strict(bad.call))).rejects.toBeInstanceOf(ValidationError);
    expect(bad.calls).toHaveLength(1);
    // Invalid output after the retries counts against the breaker.
    expect(b.state).toBe('open');
  });

  it('validation reads the selected part of the raw answer and passes the parsed value on', async () => {
    const { clock, deps } = setup();
    const run = composePolicies<{ output: unknown; usage: number }, number>(
      { validation: { schema: z.coerce.number(), select: (r) => r.output } },
      deps,
    );
    expect(await clock.run(run(async () => ({ output: '41', usage: 3 })))).toBe(41);
  });

  it('hedge wraps retry: the straggling copy is aborted, each copy has its own attempt numbers', async () => {
    const { clock, log, deps } = setup();
    const { call, calls } = scriptedCall<string>(clock, [
      { after: 50_000, value: 'slow' },
      { after: 300, value: 'fast' },
    ]);
    const run = composePolicies<string>({ hedge: { afterMs: 2000 }, retry: retry3, timeoutMs: 100_000 }, deps);
    expect(await clock.run(run(call))).toBe('fast');
    expect(clock.now()).toBe(2300);
    expect(calls.map((c) => [c.attempt, c.startedAt])).toEqual([
      [1, 0],
      [2, 2000],
    ]);
    expect(calls[0]!.outcome).toBe('aborted');
    expect(log.types().filter((t) => t.startsWith('hedge') || t === 'retry-scheduled')).toEqual(['hedge-fired', 'hedge-won']);
    expect(log.events.find((e) => e.type === 'attempt-end' && e.attempt === 1)).toMatchObject({ outcome: 'cancelled' });
  });

  it('each retry reserves its own budget; a refusal mid-way ends the call without a breaker failure', async () => {
    const { clock, log, deps, breaker } = setup();
    const b = breaker(1);
    const budget = new Budget({ tokens: 1000 });
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10, error: new Error('503') }]);
    const run = composePolicies<string>({ budget: { budget, estimate: { tokens: 400 } }, breaker: b, retry: { ...retry3, attempts: 5 } }, deps);
    await expect(clock.run(run(call))).rejects.toBeInstanceOf(BudgetExhaustedError);
    expect(calls).toHaveLength(2);
    expect(budget.spent().tokens).toBe(800);
    expect(b.state).toBe('closed');
    expect(b.recentFailures()).toBe(0);
    expect(log.events.filter((e) => e.type === 'budget-refused')).toMatchObject([{ resource: 'tokens', requested: { tokens: 400 } }]);
  });

  it('fallback is outermost: when the stack fails, the next alternative runs under its own policies', async () => {
    const { clock, log, deps, breaker } = setup();
    const b = breaker(1);
    await b.execute(new AbortController().signal, () => Promise.reject(new Error('down'))).catch(() => {});
    const primary = scriptedCall<string>(clock, [{ after: 10, value: 'primary' }]);
    const lite = scriptedCall<string>(clock, [{ after: 10, error: new Error('flaky') }, { after: 10, value: 'lite' }]);
    const run = composePolicies<string>(
      { name: 'reviewer', breaker: b, fallback: [{ name: 'reviewer_lite', spec: { name: 'reviewer_lite', retry: retry3 }, call: lite.call }] },
      deps,
    );
    expect(await clock.run(run(primary.call))).toBe('lite');
    expect(primary.calls).toHaveLength(0);
    expect(lite.calls).toHaveLength(2);
    expect(log.events.find((e) => e.type === 'fallback-taken')).toMatchObject({ from: 'reviewer', to: 'reviewer_lite' });

    const dead = scriptedCall<string>(clock, [{ after: 10, error: new Error('dead') }]);
    const both = composePolicies<string>({ name: 'a', fallback: [{ name: 'b', spec: {}, call: dead.call }] }, deps);
    await expect(clock.run(both(dead.call))).rejects.toBeInstanceOf(FallbackExhaustedError);
  });

  it("the caller's abort cancels the whole stack without counting against the breaker", async () => {
    const { clock, deps, breaker } = setup();
    const b = breaker(1);
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10_000, value: 'late' }]);
    const controller = new AbortController();
    clock.schedule(500, () => controller.abort(new Error('run deadline')));
    const run = composePolicies<string>({ breaker: b, retry: retry3, hedge: { afterMs: 100 }, timeoutMs: 5000 }, deps);
    await expect(clock.run(run(call, controller.signal))).rejects.toThrow('run deadline');
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
    expect(b.state).toBe('closed');
    expect(b.recentFailures()).toBe(0);
  });
});
