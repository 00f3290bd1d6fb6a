import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { FallbackExhaustedError } from '../../../runtime/policies/errors.js';
import { runFallbackChain } from '../../../runtime/policies/fallback.js';
import { eventLog } from './helpers.js';

const never = () => new AbortController().signal;

describe('fallback chain', () => {
  it('tries alternatives in order until one answers, reporting each hand-over', async () => {
    const clock = new VirtualClock();
    const log = eventLog();
    const tried: string[] = [];
    const alt = (name: string, ok: boolean) => ({
      name,
      run: async () => {
        tried.push(name);
        if (!ok) throw new Error(`${name} down`);
        return name;
      },
    });
    const result = await runFallbackChain([alt('gpt-4o', false), alt('gpt-4o-mini', false), alt('local', true), alt('unused', true)], never(), { clock, onEvent: log.sink });
    expect(result).toBe('local');
    expect(tried).toEqual(['gpt-4o', 'gpt-4o-mini', 'local']);
    expect(log.events).toMatchObject([
      { type: 'fallback-taken', from: 'gpt-4o', to: 'gpt-4o-mini' },
      { type: 'fallback-taken', from: 'gpt-4o-mini', to: 'local' },
    ]);
  });

  it('when all fail: one alternative passes its error through, several give FallbackExhaustedError', async () => {
    const clock = new VirtualClock();
    const only = new Error('only');
    await expect(runFallbackChain([{ name: 'a', run: () => Promise.reject(only) }], never(), { clock })).rejects.toBe(only);
    const error = await runFallbackChain(
      [
        { name: 'a', run: () => Promise.reject(new Error('a down')) },
        { name: 'b', run: () => Promise.reject(new Error('b down')) },
      ],
      never(),
      { clock },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FallbackExhaustedError);
    expect((error as FallbackExhaustedError).alternatives).toEqual(['a', 'b']);
    expect((error as FallbackExhaustedError).errors.map((e: Error) => e.message)).toEqual(['a down', 'b down']);
  });

  it("stops at the caller's abort instead of falling back", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let second = false;
    const chain = runFallbackChain(
      [
        {
          name: 'a',
          run: async () => {
            controller.abort(new Error('cancelled'));
            throw new Error('cancelled');
          },
        },
        {
          name: 'b',
          run: async () => {
            second = true;
            return 'b';
          },
        },
      ],
      controller.signal,
      { clock },
    );
    await expect(chain).rejects.toThrow('cancelled');
    expect(second).toBe(false);
  });
});
