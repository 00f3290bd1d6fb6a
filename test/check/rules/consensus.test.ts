import { describe, expect, it } from 'vitest';
import { expectFixturePair, runText } from './family-fixtures.js';

const T6 = /^T6/;

/** A vote over one judge; `vote` is the body of the consensus block (line 12). */
function voteTeam(vote: string, type = '{ decision: "approve" | "reject"  summary: string  meta: { note: string } }'): string {
  return [
    'model fast { provider sim  latency 2s  max_tokens 1k }',
    'team T {',
    '  input  diff: string',
    '  output verdict: Verdict from decide',
    `  type Verdict ${type}`,
    '  agent judge {',
    '    model fast  takes diff  output Verdict',
    '    prompt "Judge {{diff}}"',
    '    timeout 30s  retry 2 backoff exponential 1s..4s jitter',
    '  }',
    '  consensus decide over judge {',
    `    ${vote}`,
    '  }',
    '}',
    '',
  ].join('\n');
}
const found = (vote: string, type?: string) => runText(voteTeam(vote, type), T6).found;
const ok = 'agree on decision  rounds 2  tie_break reject';

describe('the pages’ examples', () => {
  it('T600: quorums that need not intersect', () =>
    expectFixturePair('T600', T6, [
      '22:5 T600 quorum 2 of 4 can split: two quorums need not share a replica (need quorum > 4/2, at least 3)',
    ]));
  it('T601: a quorum the survivors of a crash cannot reach', () =>
    expectFixturePair('T601', T6, ['22:5 T601 quorum 3 of 3 cannot be reached with 1 crashed: only n − f = 2 can vote']));
  it('T602: too few replicas for a Byzantine fault', () =>
    expectFixturePair('T602', T6, ['21:5 T602 3 replicas cannot tolerate 1 Byzantine fault: need n ≥ 3f + 1 = 4']));
  it('T603: agreement on free text', () =>
    expectFixturePair('T603', T6, [
      '24:5 T603 `decide` agrees on free text `summary` with no `normalize`: replicas rarely agree word for word',
    ]));
  it('T604: a vote with no bound and no tie-break', () =>
    expectFixturePair('T604', T6, [
      '20:13 T604 `decide` has no `rounds` bound and no `tie_break`: a split vote may never be decided',
    ]));
});

describe('quorum arithmetic', () => {
  it('T600 at exactly half, not one above', () => {
    expect(found(`replicas 6  quorum 3  ${ok}`)).toEqual([
      '12:17 T600 quorum 3 of 6 can split: two quorums need not share a replica (need quorum > 6/2, at least 4)',
    ]);
    expect(found(`replicas 6  quorum 4  ${ok}`)).toEqual([]);
    expect(found(`replicas 5  quorum majority  ${ok}`)).toEqual([]);
  });

  it('T601: too few replicas for the crashes, and a quorum above n − f', () => {
    expect(found(`replicas 4  quorum majority  faults 2 crash  ${ok}`)).toEqual([
      '12:5 T601 4 replicas cannot tolerate 2 crash faults: need n ≥ 2f + 1 = 5',
    ]);
    expect(found(`replicas 5  quorum 4  faults 2 crash  ${ok}`)).toEqual([
      '12:17 T601 quorum 4 of 5 cannot be reached with 2 crashed: only n − f = 3 can vote',
    ]);
    expect(found(`replicas 5  quorum majority  faults 2 crash  ${ok}`)).toEqual([]);
  });

  it('T602: a quorum below 2f + 1 with enough replicas', () => {
    expect(found(`replicas 7  quorum 4  faults 2 byzantine  ${ok}`)).toEqual([
      '12:17 T602 quorum 4 with 2 Byzantine faults lets lying replicas decide: need quorum ≥ 2f + 1 = 5',
    ]);
    expect(found(`replicas 7  quorum 5  faults 2 byzantine  ${ok}`)).toEqual([]);
    // Crash arithmetic does not apply to a Byzantine declaration, nor the other way round.
    expect(found(`replicas 3  quorum majority  faults 1 crash  ${ok}`)).toEqual([]);
  });
});

describe('T603', () => {
  it('reports a field the output lacks, with the fields it has', () => {
    const run = runText(voteTeam('replicas 3  quorum majority  agree on decison  rounds 2  tie_break reject'), T6);
    expect(run.found).toEqual(['12:34 T603 `decide` agrees on `decison`, which `Verdict` does not have']);
    expect(run.diagnostics[0]!.help).toEqual(['agree on one of `decision`, `summary`, `meta`']);
  });

  it('follows nested paths, and accepts free text once normalised', () => {
    expect(found('replicas 3  quorum majority  agree on meta.note  rounds 2')).toEqual([
      '12:34 T603 `decide` agrees on free text `meta.note` with no `normalize`: replicas rarely agree word for word',
    ]);
    expect(found('replicas 3  quorum majority  agree on meta.nope  rounds 2')).toEqual([
      '12:34 T603 `decide` agrees on `meta.nope`, which `Verdict` does not have',
    ]);
    expect(found('replicas 3  quorum majority  agree on meta.note normalize trim_lower  rounds 2')).toEqual([]);
  });

  it('suggests a normaliser when no field has few values', () => {
    const run = runText(voteTeam('replicas 3  quorum majority  agree on summary  rounds 2', '{ summary: string }'), T6);
    expect(run.diagnostics[0]!.help).toEqual(['add `normalize trim_lower` after `agree on summary`, or agree on a field with few values']);
  });
});

describe('T604', () => {
  it('either a round bound or a tie-break is enough', () => {
    expect(found('replicas 3  quorum majority  agree on decision  rounds 2')).toEqual([]);
    expect(found('replicas 3  quorum majority  agree on decision  tie_break first')).toEqual([]);
  });
});
