import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import {
  createAdversarialNetwork,
  createMemoryTransport,
  TransportClosedError,
  type Ack,
  type Envelope,
} from '../../../runtime/transport/index.js';

const envelope = (id: string, extra: Partial<Envelope> = {}): Envelope => ({
  id,
  channel: 'c',
  from: 'p',
  payload: { id, nested: { list: [1, 2] } },
  attempt: 1,
  sentAt: 0,
  ...extra,
});

describe('memory transport', () => {
  it('delivers asynchronously on the clock, never inside send', async () => {
    const clock = new VirtualClock();
    const transport = createMemoryTransport({ clock });
    const got: string[] = [];
    await transport.subscribe('q', 'c', (e) => void got.push(e.id));
    await transport.send(envelope('m1'));
    expect(got).toEqual([]); // not synchronous, not even after send resolved
    await clock.advance(0);
    expect(got).toEqual(['m1']);
  });

  it('gives every receiver its own deserialised copy', async () => {
    const clock = new VirtualClock();
    const transport = createMemoryTransport({ clock });
    const received: Envelope[] = [];
    await transport.subscribe('q1', 'c', (e) => void received.push(e));
    await transport.subscribe('q2', 'c', (e) => void received.push(e));
    const sent = envelope('m1');
    await transport.send(sent);
    (sent.payload as { nested: { list: number[] } }).nested.list.push(99); // the sender mutates after sending
    await clock.advance(0);
    expect(received).toHaveLength(2);
    expect(received[0]!.payload).toEqual({ id: 'm1', nested: { list: [1, 2] } });
    expect(received[0]!.payload).not.toBe(received[1]!.payload);
    await expect(transport.send({ ...envelope('bad'), payload: { f: 1n } as never })).rejects.toThrow();
  });

  it('keeps addressed envelopes for a node that subscribes later, and is FIFO per link', async () => {
    const clock = new VirtualClock();
    const transport = createMemoryTransport({ clock });
    for (const id of ['m1', 'm2', 'm3']) await transport.send(envelope(id, { to: 'late' }));
    await transport.send(envelope('broadcast')); // nobody subscribed: a broadcast is gone
    await clock.advance(10);
    const got: string[] = [];
    await transport.subscribe('late', 'c', (e) => void got.push(e.id));
    await clock.advance(0);
    expect(got).toEqual(['m1', 'm2', 'm3']);
  });

  it('routes an acknowledgement back to the sender of the pending envelope', async () => {
    const clock = new VirtualClock();
    const transport = createMemoryTransport({ clock });
    const acks: Ack[] = [];
    await transport.onAck('p', 'c', (ack) => void acks.push(ack));
    await transport.subscribe('q', 'c', (e) => transport.ack('q', 'c', e.id));
    await transport.send(envelope('m1', { to: 'q' }));
    await clock.advance(0);
    expect(acks).toEqual([{ channel: 'c', id: 'm1', by: 'q', to: 'p' }]);
    expect(transport.pendingCount()).toBe(0);
    await transport.ack('q', 'c', 'm1'); // acknowledging twice is harmless
    await clock.advance(0);
    expect(acks).toHaveLength(1);
  });

  it('refuses to work once closed', async () => {
    const transport = createMemoryTransport({ clock: new VirtualClock() });
    await transport.close();
    await expect(transport.send(envelope('m'))).rejects.toBeInstanceOf(TransportClosedError);
  });
});

describe('adversarial network', () => {
  async function run(seed: number) {
    const clock = new VirtualClock();
    const net = createAdversarialNetwork({
      clock,
      random: seededRandom(seed),
      faults: { drop: 0.2, duplicate: 0.3, reorder: 0.5, delayMs: [1, 50] },
    });
    const got: string[] = [];
    await net.subscribe('q', 'c', (e) => void got.push(e.id));
    for (let i = 1; i <= 200; i++) await net.send(envelope(`m${i}`, { to: 'q' }));
    await clock.advance(1_000);
    return { got, stats: net.stats() };
  }

  it('drops, duplicates and reorders, identically for the same seed', async () => {
    const first = await run(11);
    const again = await run(11);
    const other = await run(12);
    expect(again).toEqual(first);
    expect(other.got).not.toEqual(first.got);
    const { stats, got } = first;
    expect(stats.dropped).toBeGreaterThan(10);
    expect(stats.duplicated).toBeGreaterThan(10);
    expect(stats.reordered).toBeGreaterThan(10);
    expect(new Set(got).size).toBeLessThan(200); // something lost
    expect(got.length).toBeGreaterThan(new Set(got).size); // something twice
    const numbers = got.map((id) => Number(id.slice(1)));
    expect(numbers.some((n, i) => i > 0 && n < numbers[i - 1]!)).toBe(true); // something overtaken
  });

  it('keeps a link in order when reordering is off', async () => {
    const clock = new VirtualClock();
    const net = createAdversarialNetwork({ clock, random: seededRandom(3), faults: { delayMs: [1, 80] } });
    const got: number[] = [];
    await net.subscribe('q', 'c', (e) => void got.push(e.seq!));
    for (let seq = 1; seq <= 100; seq++) await net.send(envelope(`m${seq}`, { to: 'q', seq }));
    await clock.advance(1_000);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('cuts an isolated node off until it is healed', async () => {
    const clock = new VirtualClock();
    const net = createAdversarialNetwork({ clock, random: seededRandom(5), faults: { delayMs: [1, 5] } });
    const got: string[] = [];
    await net.subscribe('q', 'c', (e) => void got.push(e.id));
    net.isolate('q');
    await net.send(envelope('lost', { to: 'q' }));
    await clock.advance(10);
    net.heal('q');
    await net.send(envelope('through', { to: 'q' }));
    await clock.advance(10);
    expect(got).toEqual(['through']);
    expect(net.stats().partitioned).toBe(1);
  });
});
