import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { HedgeLostError } from '../../../runtime/policies/errors.js';
import { withHedge } from '../../../runtime/policies/hedge.js';
import { eventLog, scriptedCall } from './helpers.js';

const never = () => new AbortController().signal;

describe('hedged requests', () => {
  it('starts a second copy after afterMs, takes the faster answer and aborts the slower', async () => {
    const clock = new VirtualClock();
    // The first copy straggles (10 s); the hedge, started at 200 ms, answers in 300 ms.
    const { call, calls } = scriptedCall<string>(clock, [
      { after: 10_000, value: 'slow' },
      { after: 300, value: 'fast' },
    ]);
    const log = eventLog();
    const result = await clock.run(withHedge<string>({ afterMs: 200 }, { clock, onEvent: log.sink })(call)(never(), 1));
    expect(result).toBe('fast');
    expect(clock.now()).toBe(500);
    expect(calls.map((c) => c.startedAt)).toEqual([0, 200]);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[0]!.signal.reason).toBeInstanceOf(HedgeLostError);
    expect(calls[0]!.outcome).toBe('aborted');
    expect(calls[1]!.signal.aborted).toBe(false);
    expect(log.types()).toEqual(['hedge-fired', 'hedge-won']);
    expect(log.events[1]).toMatchObject({ branch: 1, aborted: [0] });
    expect(clock.pending()).toBe(0);
  });

  it('keeps the first copy when it wins, aborting the hedge', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [
      { after: 400, value: 'first' },
      { after: 1000, value: 'second' },
    ]);
    expect(await clock.run(withHedge<string>({ afterMs: 200 }, { clock })(call)(never(), 1))).toBe('first');
    expect(calls[1]!.signal.aborted).toBe(true);
  });

  it('fires no hedge when the answer comes before afterMs', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 100, value: 'quick' }]);
    expect(await clock.run(withHedge<string>({ afterMs: 200 }, { clock })(call)(never(), 1))).toBe('quick');
    expect(calls).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('answers slowness, not failure: an early failure fails the call without a hedge', async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 50, error: new Error('down') }]);
    await expect(clock.run(withHedge<string>({ afterMs: 200 }, { clock })(call)(never(), 1))).rejects.toThrow('down');
    expect(calls).toHaveLength(1);
  });

  it('a failed copy leaves the other running; the call fails only when all have failed', async () => {
    const clock = new VirtualClock();
    const { call } = scriptedCall<string>(clock, [
      { after: 300, error: new Error('first failed') },
      { after: 400, value: 'hedge saved it' },
    ]);
    expect(await clock.run(withHedge<string>({ afterMs: 200 }, { clock })(call)(never(), 1))).toBe('hedge saved it');

    const clock2 = new VirtualClock();
    const both = scriptedCall<string>(clock2, [
      { after: 300, error: new Error('first failed') },
      { after: 400, error: new Error('hedge failed') },
    ]);
    await expect(clock2.run(withHedge<string>({ afterMs: 200 }, { clock: clock2 })(both.call)(never(), 1))).rejects.toThrow('first failed');
  });

  it("the caller's abort aborts every copy", async () => {
    const clock = new VirtualClock();
    const { call, calls } = scriptedCall<string>(clock, [{ after: 10_000, value: 'never' }]);
    const controller = new AbortController();
    clock.schedule(500, () => controller.abort(new Error('cancelled')));
    await expect(clock.run(withHedge<string>({ afterMs: 200, maxHedges: 2 }, { clock })(call)(controller.signal, 1))).rejects.toThrow('cancelled');
    expect(calls.map((c) => c.startedAt)).toEqual([0, 200, 400]);
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
  });
});
