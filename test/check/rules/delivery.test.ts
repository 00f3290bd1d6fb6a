/** T400–T403: each rule's failing page example is reported (exactly), its fixed one is not. */
import { describe, expect, it } from 'vitest';
import { described } from '../helpers.js';
import { check, otherErrors, ownDiagnostics } from './fixture.js';

const fixtures: Record<string, string[]> = {
  T400: [
    '29:11 T400 `comments` is `at_least_once` and feeds `publisher`, which calls effect `post_comment` with no idempotency `key`: a redelivered message repeats the effect',
  ],
  T401: ['20:5 T401 `notifier` has `retry` but calls effect `send_page` with no idempotency `key`: one activation can apply it up to 2 times'],
  T402: ['11:42 T402 `drafts` is `at_most_once` on the way to team output `article`, with no retry or fallback on that path: one lost message loses the run'],
  T403: [
    '13:74 T403 `questions` holds at most 4 messages but has no `backpressure` policy: what happens when producers outpace `researcher` is left undecided',
  ],
};

describe.each(Object.entries(fixtures))('%s', (code, expected) => {
  it('rejects the failing fixture with exactly this diagnostic', () => {
    expect(ownDiagnostics(`${code}-reject`)).toEqual(expected);
    expect(otherErrors(`${code}-reject`)).toEqual([]);
  });
  it('accepts the fixed fixture', () => {
    expect(ownDiagnostics(`${code}-accept`)).toEqual([]);
    expect(otherErrors(`${code}-accept`)).toEqual([]);
  });
});

const own = (text: string) => described(check(text)).filter((line) => /^\d+:\d+ T4/.test(line));

/** A writer → channel → publisher pipeline to vary. */
const pipeline = (options: { channel?: string; writer?: string; publisher?: string; tool?: string }) => `model fast { provider sim  latency 2s  max_tokens 1k }
team P {
  input  brief: string
  output posted: Receipt from publisher
  budget 50k tokens
  type Draft { title: string }
  type Receipt { id: string }
  tool post(title: string) -> Receipt { ${options.tool ?? 'effect  key title'}  timeout 10s }
  channel drafts: Draft { ${options.channel ?? 'ordering fifo  delivery exactly_once'} }
  agent writer { model fast  takes brief  emits drafts  output Draft  prompt "{{brief}}"  timeout 30s  ${options.writer ?? ''} }
  agent publisher { model fast  takes drafts  calls post  output Receipt  prompt "{{drafts.title}}"  timeout 30s  ${options.publisher ?? ''} }
}
`;

describe('T400, T401: what makes a repeated effect harmless', () => {
  it('a pure tool may be called again', () => {
    expect(own(pipeline({ channel: 'delivery at_least_once', tool: 'pure', publisher: 'retry 3 backoff exponential 1s..4s jitter' }))).toEqual([]);
  });

  it('a hedge doubles each attempt, and says so with its own word', () => {
    expect(own(pipeline({ tool: 'effect', publisher: 'hedge after 5s' }))).toEqual([
      '11:115 T401 `publisher` has `hedge` but calls effect `post` with no idempotency `key`: one activation can apply it up to 2 times',
    ]);
    expect(own(pipeline({ tool: 'effect', publisher: 'retry 3 backoff exponential 1s..4s jitter  hedge after 5s' }))).toEqual([
      '11:115 T401 `publisher` has `retry` but calls effect `post` with no idempotency `key`: one activation can apply it up to 6 times',
    ]);
  });
});

describe('T402: what makes up for a lost message', () => {
  it('a retry on the producer or a fallback on the consumer protects the path', () => {
    expect(own(pipeline({ channel: 'delivery at_most_once' }))).toHaveLength(1);
    expect(own(pipeline({ channel: 'delivery at_most_once', writer: 'retry 2 backoff exponential 1s..4s jitter' }))).toEqual([]);
  });

  it('a channel with no `delivery` is `at_most_once`, and the label says it is the default', () => {
    const checked = check(pipeline({ channel: 'ordering fifo' }));
    const d = checked.diagnostics.find((x) => x.code === 'T402')!;
    expect(d.label).toBe('no `delivery`: it defaults to `at_most_once`');
    expect(d.related.map((r) => r.message)).toEqual(['`publisher` waits for it, with no retry or fallback', 'team output `posted` depends on it']);
  });

  it('a channel that does not lead to an output loses nothing the run needs', () => {
    const text = pipeline({}).replace('  agent publisher', '  channel side: Draft { delivery at_most_once }\n  agent logger { model fast  takes side  output Draft  prompt "{{side.title}}"  timeout 30s }\n  agent publisher').replace('emits drafts', 'emits drafts, side');
    expect(own(text)).toEqual([]);
  });
});

describe('T403', () => {
  it('a bounded channel with a back-pressure policy is decided', () => {
    expect(own(pipeline({ channel: 'ordering fifo  delivery exactly_once  capacity 4  backpressure drop_oldest' }))).toEqual([]);
  });
});
