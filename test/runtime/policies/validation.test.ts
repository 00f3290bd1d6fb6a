import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { ValidationError } from '../../../runtime/policies/errors.js';
import { validateOutput, withValidation } from '../../../runtime/policies/validation.js';
import { eventLog } from './helpers.js';

const Verdict = z.object({ decision: z.enum(['approve', 'request_changes']), reasons: z.array(z.string()).default([]) });
const never = () => new AbortController().signal;

describe('validation', () => {
  it('returns the parsed value (defaults applied)', async () => {
    expect(await validateOutput({ schema: Verdict }, { decision: 'approve' }, never())).toEqual({ decision: 'approve', reasons: [] });
  });

  it("fails with zod's issues, retryable unless declared deterministic", async () => {
    const error = await validateOutput({ schema: Verdict }, { decision: 'maybe' }, never()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).stage).toBe('schema');
    expect((error as ValidationError).issues[0]).toMatchObject({ path: ['decision'] });
    expect((error as ValidationError).retryable).toBe(true);
    const fixed = await validateOutput({ schema: Verdict, deterministic: true }, 'nope', never()).catch((e: unknown) => e);
    expect((fixed as ValidationError).retryable).toBe(false);
  });

  it('asks the validator only about schema-valid values, and reports its reason', async () => {
    const seen: unknown[] = [];
    const validator = async (value: z.infer<typeof Verdict>) => {
      seen.push(value);
      return value.reasons.length > 0 ? ({ ok: true } as const) : ({ ok: false, reason: 'approval without reasons' } as const);
    };
    await expect(validateOutput({ schema: Verdict, validator }, { decision: 1 }, never())).rejects.toMatchObject({ stage: 'schema' });
    expect(seen).toHaveLength(0);
    const error = await validateOutput({ schema: Verdict, validator }, { decision: 'approve' }, never()).catch((e: unknown) => e);
    expect(error).toMatchObject({ stage: 'validator', message: expect.stringContaining('approval without reasons') });
    expect(await validateOutput({ schema: Verdict, validator }, { decision: 'approve', reasons: ['tests pass'] }, never())).toMatchObject({ reasons: ['tests pass'] });
  });

  it('as a policy, reports validation failures', async () => {
    const clock = new VirtualClock();
    const log = eventLog();
    const op = withValidation({ schema: Verdict }, { clock, onEvent: log.sink })(async () => ({ decision: 'unsure' }));
    await expect(op(never(), 1)).rejects.toBeInstanceOf(ValidationError);
    expect(log.events).toMatchObject([{ type: 'validation-failed', stage: 'schema' }]);
  });
});
