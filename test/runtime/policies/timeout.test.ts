import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { TimeoutError } from '../../../runtime/policies/errors.js';
import { withTimeout } from '../../../runtime/policies/timeout.js';
import { eventLog, scriptedCall } from './helpers.js';

const never = () => new AbortController().signal;

describe('timeout', () => {
  it("aborts the call's signal with a TimeoutError and rejects with it", async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 5000, value: 'late' }]);
    const log = eventLog();
    const error = await clock.run(withTimeout<string>(1000, { clock, onEvent: log.sink })(call)(never(), 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(1000);
    expect(clock.now()).toBe(1000);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[0]!.signal.reason).toBe(error);
    expect(calls[0]!.outcome).toBe('aborted');
    expect(log.events).toMatchObject([{ type: 'timeout', timeoutMs: 1000, time: 1000 }]);
  });

  it('rejects on time even when the call ignores its signal', async () => {
    const clock = new VirtualClock();
    const { call } = scriptedCall<string>(clock, [{ after: 5000, value: 'late', ignoreAbort: true }]);
    const timed = withTimeout<string>(1000, { clock })(call)(never(), 1);
    let settledAt = -1;
    timed.catch(() => (settledAt = clock.now()));
    await clock.advance(6000);
    expect(settledAt).toBe(1000);
    await expect(timed).rejects.toBeInstanceOf(TimeoutError);
  });

  it('passes a fast answer through and leaves no timer behind', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10, value: 'quick' }]);
    await expect(clock.run(withTimeout<string>(1000, { clock })(call)(never(), 1))).resolves.toBe('quick');
    expect(calls[0]!.signal.aborted).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it("propagates the caller's abort at once, not as a timeout", async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 5000, value: 'late' }]);
    const controller = new AbortController();
    clock.schedule(100, () => controller.abort(new Error('stop')));
    await expect(clock.run(withTimeout<string>(1000, { clock })(call)(controller.signal, 1))).rejects.toThrow('stop');
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(clock.now()).toBe(100);
  });
});
