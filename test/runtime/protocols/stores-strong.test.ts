import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, createStore } from '../../../runtime/stores/index.js';
import type { JsonValue } from '../../../runtime/transport/index.js';
import { eventCounter, isLinearizable, propertyRuns, simulation, type Operation, type SequentialModel } from './helpers.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });

type Input = { op: 'read' } | { op: 'write'; value: JsonValue } | { op: 'cas'; expected: number; value: JsonValue };
type Output = { value?: JsonValue; version?: number; ok?: boolean };

/** A versioned register: the sequential specification of the strong store (lww). */
const versionedRegister: SequentialModel<{ value: JsonValue; version: number }, Input, Output> = {
  initial: { value: null, version: 0 },
  step(state, input) {
    switch (input.op) {
      case 'read':
        return { state, output: { value: state.value, version: state.version } };
      case 'write':
        return { state: { value: input.value, version: state.version + 1 }, output: {} };
      case 'cas': {
        if (state.version !== input.expected) return { state, output: { ok: false, value: state.value, version: state.version } };
        const next = { value: input.value, version: state.version + 1 };
        return { state: next, output: { ok: true, ...next } };
      }
    }
  },
  equalOutput: (a, b) => canonicalJson(a as JsonValue) === canonicalJson(b as JsonValue),
  key: (state) => JSON.stringify(state),
};

/** A plain register (reads return the last write), for stores without versions. */
const register: SequentialModel<JsonValue, Input, Output> = {
  initial: null,
  step(state, input) {
    if (input.op === 'write') return { state: input.value, output: {} };
    return { state, output: { value: state } };
  },
  equalOutput: (a, b) => canonicalJson(a as JsonValue) === canonicalJson(b as JsonValue),
  key: (state) => JSON.stringify(state),
};

describe('linearizability checker', () => {
  const op = (invoke: number, response: number, input: Input, output: Output): Operation<Input, Output> => ({ invoke, response, input, output });

  it('accepts a history with a valid order and rejects a stale read', () => {
    const overlapping = [op(1, 4, { op: 'write', value: 'x' }, {}), op(2, 3, { op: 'read' }, { value: 'x' })];
    expect(isLinearizable(overlapping, register)).toBe(true); // the read may take effect after the write
    const stale = [op(1, 2, { op: 'write', value: 'x' }, {}), op(3, 4, { op: 'read' }, { value: null })];
    expect(isLinearizable(stale, register)).toBe(false); // the write finished before the read began
  });

  it('rejects two successful compare-and-sets from the same version', () => {
    const history = [
      op(1, 3, { op: 'cas', expected: 0, value: 'a' }, { ok: true, value: 'a', version: 1 }),
      op(2, 4, { op: 'cas', expected: 0, value: 'b' }, { ok: true, value: 'b', version: 1 }),
    ];
    expect(isLinearizable(history, versionedRegister)).toBe(false);
  });
});

describe('strong store', () => {
  it('histories of concurrent sessions are linearizable, on the adversarial network', async () => {
    let casSucceeded = 0;
    let casFailed = 0;
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const { clock, random, net } = simulation(s);
        const store = createStore({ name: 'plan', consistency: 'strong', clock, random, replicas: 3, transport: net });
        const decide = random.fork('sessions');
        const tick = eventCounter();
        const history: Operation<Input, Output>[] = [];
        await clock.run(() =>
          Promise.all(
            ['a', 'b', 'c'].map(async (agent, index) => {
              const session = store.session(agent, index === 2 ? { routing: 'roaming' } : {});
              let lastVersion = 0;
              for (let k = 1; k <= 4; k++) {
                await clock.sleep(decide.int(0, 80));
                const roll = decide.next();
                const input: Input =
                  roll < 0.35 ? { op: 'read' } : roll < 0.7 ? { op: 'write', value: `${agent}${k}` } : { op: 'cas', expected: lastVersion, value: `${agent}${k}!` };
                const invoke = tick();
                let output: Output;
                if (input.op === 'read') {
                  output = await session.readVersioned();
                  lastVersion = output.version!;
                } else if (input.op === 'write') {
                  await session.write(input.value);
                  output = {};
                } else {
                  output = await session.cas(input.expected, input.value);
                  if (output.ok) casSucceeded++;
                  else casFailed++;
                  lastVersion = output.version!;
                }
                history.push({ invoke, response: tick(), input, output });
              }
            }),
          ),
        );
        expect(isLinearizable(history, versionedRegister)).toBe(true);
        await clock.advance(30_000);
        const replicas = Object.values(store.replicaValues());
        for (const value of replicas) expect(value).toEqual(replicas[0]); // every replica applied the same log
        await store.close();
        await net.close();
      }),
      propertyRuns(100),
    );
    expect(casSucceeded).toBeGreaterThan(0);
    expect(casFailed).toBeGreaterThan(0);
  });

  it('negative control: an eventual store is not linearizable for some seed', async () => {
    let violation: number | undefined;
    for (let s = 1; s <= 20 && violation === undefined; s++) {
      const { clock, random, net } = simulation(s);
      const store = createStore({ name: 'plan', consistency: 'eventual', clock, random, replicas: 3, transport: net });
      const decide = random.fork('sessions');
      const tick = eventCounter();
      const history: Operation<Input, Output>[] = [];
      await clock.run(() =>
        Promise.all(
          ['a', 'b', 'c'].map(async (agent) => {
            const session = store.session(agent);
            for (let k = 1; k <= 4; k++) {
              await clock.sleep(decide.int(0, 80));
              const invoke = tick();
              if (decide.chance(0.5)) {
                await session.write(`${agent}${k}`);
                history.push({ invoke, response: tick(), input: { op: 'write', value: `${agent}${k}` }, output: {} });
              } else {
                const value = await session.read();
                history.push({ invoke, response: tick(), input: { op: 'read' }, output: { value } });
              }
            }
          }),
        ),
      );
      if (!isLinearizable(history, register)) violation = s;
      await store.close();
    }
    expect(violation).toBeDefined();
  });

  it('compare-and-set: of two sessions racing from one version, exactly one wins', async () => {
    for (let s = 1; s <= 10; s++) {
      const { clock, random, net } = simulation(s);
      const store = createStore({ name: 'lock', consistency: 'strong', clock, random, replicas: 3, transport: net });
      const [first, second] = await clock.run(() =>
        Promise.all([store.session('a').cas(0, 'a holds it'), store.session('b').cas(0, 'b holds it')]),
      );
      expect([first.ok, second.ok].filter(Boolean)).toHaveLength(1);
      const winner = first.ok ? first : second;
      expect(winner).toMatchObject({ version: 1 });
      expect(await clock.run(() => store.session('c').readVersioned())).toEqual({ value: winner.value, version: 1 });
      await store.close();
    }
  });

  it('append merge: writes extend the list in log order', async () => {
    const { clock, random, net } = simulation(3);
    const store = createStore({ name: 'log', consistency: 'strong', merge: 'append', clock, random, replicas: 2, transport: net });
    const session = store.session('a');
    const value = await clock.run(async () => {
      await session.write(['x']);
      await session.write(['y', 'z']);
      return session.readVersioned();
    });
    expect(value).toEqual({ value: ['x', 'y', 'z'], version: 2 });
    await store.close();
  });
});
