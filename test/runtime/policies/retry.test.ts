import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import { BudgetExhaustedError, ValidationError } from '../../../runtime/policies/errors.js';
import { backoffCeiling, retryDelay, withRetry, type RetryOptions } from '../../../runtime/policies/retry.js';
import { eventLog, httpError, scriptedCall } from './helpers.js';

const never = () => new AbortController().signal;
const exponential: RetryOptions = { attempts: 5, backoff: 'exponential', minMs: 100, maxMs: 1000, jitter: true };

describe('retry', () => {
  it('every delay lies in [0, min(max, base·2ⁿ)] and full jitter spreads them (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer(),
        (minMs, span, n, seed) => {
          const options: RetryOptions = { attempts: 20, backoff: 'exponential', minMs, maxMs: minMs + span, jitter: true };
          const random = seededRandom(seed);
          const ceiling = Math.min(minMs + span, minMs * 2 ** n);
          expect(backoffCeiling(options, n)).toBe(ceiling);
          for (let i = 0; i < 5; i++) {
            const delay = retryDelay(options, n, random);
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(ceiling);
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
    // Jitter really is jitter: 200 draws of the same retry are not all the same, and cover the range.
    const random = seededRandom(1);
    const draws = Array.from({ length: 200 }, () => retryDelay(exponential, 3, random));
    expect(Math.min(...draws)).toBeLessThan(100);
    expect(Math.max(...draws)).toBeGreaterThan(700);
  });

  it('linear and constant back-off, without jitter, are exact', () => {
    const linear: RetryOptions = { attempts: 9, backoff: 'linear', minMs: 100, maxMs: 350, jitter: false };
    expect([0, 1, 2, 3, 4].map((n) => retryDelay(linear, n, undefined))).toEqual([100, 200, 300, 350, 350]);
    const constant: RetryOptions = { ...linear, backoff: 'constant' };
    expect([0, 5].map((n) => retryDelay(constant, n, undefined))).toEqual([100, 100]);
    expect(retryDelay({ ...linear, backoff: 'exponential' }, 60, undefined)).toBe(350);
  });

  it('waits the drawn delays on the clock between attempts, reproducibly from the seed', async () => {
    const run = async (seed: number) => {
      const clock = new VirtualClock();
      const { call, calls } = scriptedCall<string>(clock, [{ after: 0, error: new Error('flaky') }, { after: 0, error: new Error('flaky') }, { after: 0, value: 'ok' }]);
      const log = eventLog();
      const result = await clock.run(withRetry<string>(exponential, { clock, random: seededRandom(seed), onEvent: log.sink })(call)(never(), 1));
      expect(result).toBe('ok');
      const gaps = calls.slice(1).map((c, i) => c.startedAt - calls[i]!.startedAt);
      const scheduled = log.events.flatMap((e) => (e.type === 'retry-scheduled' ? [e.delayMs] : []));
      expect(gaps).toEqual(scheduled);
      expect(gaps[0]).toBeLessThanOrEqual(100);
      expect(gaps[1]).toBeLessThanOrEqual(200);
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      return gaps;
    };
    expect(await run(42)).toEqual(await run(42));
    expect(await run(42)).not.toEqual(await run(43));
  });

  it('honours Retry-After on a 429 as a floor on the wait', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 0, error: httpError(429, { retryAfterMs: 5000 }) }, { after: 0, value: 'ok' }]);
    await clock.run(withRetry<string>(exponential, { clock, random: seededRandom(3) })(call)(never(), 1));
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBe(5000);
    expect(retryDelay(exponential, 0, seededRandom(1), { retryAfterMs: 20 })).toBeGreaterThanOrEqual(20);
  });

  it('gives up when Retry-After exceeds what the caller will wait', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 0, error: httpError(429, { retryAfterMs: 60_000 }) }]);
    const log = eventLog();
    const retry = withRetry<string>({ ...exponential, maxRetryAfterMs: 10_000 }, { clock, random: seededRandom(3), onEvent: log.sink });
    await expect(clock.run(retry(call)(never(), 1))).rejects.toMatchObject({ status: 429 });
    expect(calls).toHaveLength(1);
    expect(log.events.at(-1)).toMatchObject({ type: 'retry-given-up', reason: 'retry-after-too-long' });
  });

  it('never retries non-retryable errors', async () => {
    const cases: unknown[] = [
      new BudgetExhaustedError('dollars', 1, 1, 0, 0.5),
      new ValidationError('schema', [], true),
      httpError(400),
      httpError(401),
      Object.assign(new Error('declared'), { retryable: false }),
    ];
    for (const error of cases) {
      const clock = new VirtualClock();
      const { call, calls } = scriptedCall<string>(clock, [{ after: 0, error }]);
      await expect(clock.run(withRetry<string>(exponential, { clock, random: seededRandom(1) })(call)(never(), 1))).rejects.toBe(error);
      expect(calls).toHaveLength(1);
    }
    // …while transient ones are retried up to the attempt limit.
    for (const error of [httpError(503), httpError(429), new ValidationError('schema', [], false), new Error('ECONNRESET')]) {
      const clock = new VirtualClock();
      const { call, calls } = scriptedCall<string>(clock, [{ after: 0, error }]);
      await expect(clock.run(withRetry<string>(exponential, { clock, random: seededRandom(1) })(call)(never(), 1))).rejects.toBe(error);
      expect(calls).toHaveLength(5);
    }
  });

  it('stops at once when the caller aborts, even mid back-off', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10, error: new Error('flaky') }]);
    const controller = new AbortController();
    const retry = withRetry<string>({ ...exponential, jitter: false, minMs: 1000 }, { clock });
    clock.schedule(500, () => controller.abort(new Error('caller left')));
    await expect(clock.run(retry(call)(controller.signal, 1))).rejects.toThrow('caller left');
    expect(calls).toHaveLength(1);
    expect(clock.now()).toBe(500);
  });

  it('rejects impossible options', () => {
    const clock = new VirtualClock();
    expect(() => withRetry({ ...exponential, attempts: 0 }, { clock })).toThrow(RangeError);
    expect(() => withRetry({ ...exponential, minMs: 10, maxMs: 5 }, { clock })).toThrow(RangeError);
    expect(() => retryDelay(exponential, 0, undefined)).toThrow(/Random/);
  });
});
