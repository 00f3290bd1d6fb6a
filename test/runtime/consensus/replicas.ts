import { z } from 'zod';
import type { VirtualClock } from '../../../runtime/clock.js';
import type { Random } from '../../../runtime/random.js';

export const Verdict = z.object({ decision: z.string().min(1), reasons: z.array(z.string()) });
export type Verdict = z.infer<typeof Verdict>;

/** How one replica behaves when asked. */
export type Behaviour =
  | { kind: 'honest'; latency: number; decision: string }
  | { kind: 'throw'; latency: number }
  | { kind: 'hang' }
  | { kind: 'invalid'; latency: number }
  | { kind: 'liar'; latency: number; decision: string };

/** Spellings of one answer that the `trim_lower` normaliser must merge into one vote. */
export const SPELLINGS = ['approve', ' Approve', 'APPROVE ', '  approve  '];

/** Answers as `behaviour` says, on virtual time; honours its abort signal like a real client. */
export function answer(clock: VirtualClock, behaviour: Behaviour, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (behaviour.kind === 'hang') {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      return;
    }
    const cancel = clock.schedule(behaviour.latency, () => {
      switch (behaviour.kind) {
        case 'honest':
        case 'liar':
          resolve({ decision: behaviour.decision, reasons: [] });
          return;
        case 'throw':
          reject(Object.assign(new Error('HTTP 503'), { status: 503 }));
          return;
        case 'invalid':
          resolve({ verdict: 'approve' });
      }
    });
    signal.addEventListener(
      'abort',
      () => {
        cancel();
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Up to `count` distinct replica indices out of n, chosen by `random`. */
export function pickFaulty(random: Random, n: number, count: number): Set<number> {
  const indices = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(0, i);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return new Set(indices.slice(0, count));
}

/** A faulty behaviour allowed by the fault model (liars only under Byzantine faults). */
export function faultyBehaviour(random: Random, model: 'crash' | 'byzantine', colluding: string): Behaviour {
  const kinds = model === 'crash' ? (['throw', 'hang', 'invalid'] as const) : (['throw', 'hang', 'invalid', 'liar', 'liar', 'liar'] as const);
  const kind = random.pick(kinds);
  const latency = random.int(0, 900);
  if (kind === 'hang') return { kind };
  if (kind === 'liar') return { kind, latency, decision: random.chance(0.7) ? colluding : `maybe-${random.int(0, 3)}` };
  return { kind, latency };
}
