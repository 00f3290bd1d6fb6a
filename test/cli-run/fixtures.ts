/**
 * Teams of our own for the command tests, so they exercise the commands whatever rule the checker
 * gains next: a review with replicas, a causal exactly-once channel joined by `takes all`, retries,
 * a fallback and a majority vote (what examples/code-review.team shows), with room in its deadline.
 */
export const reviewTeam = `
model fast { provider sim  name "fast-sim"  latency 2s  max_tokens 1k  price input $0.15 output $0.60 per 1M }
model smart { provider sim  latency 4s  max_tokens 1k  price input $2.50 output $10 per 1M }

team Review {
  input diff: string
  output verdict: Verdict from decide
  deadline 30m
  budget 200k tokens

  type Severity = "info" | "warning" | "error"
  type Finding { file: string  line: int  severity: Severity  message: string }
  type Verdict { decision: "approve" | "request_changes"  reasons: string[] }

  channel findings: Finding { ordering causal  delivery exactly_once }

  agent reviewer {
    replicas 3
    model fast
    takes diff
    emits findings
    output Finding[]
    prompt "Report each problem in this diff as a finding: {{diff}}"
    timeout 30s
    retry 3 backoff exponential 500ms..8s jitter
    fallback reviewer_lite
  }

  agent reviewer_lite {
    model fast
    takes diff
    emits findings
    output Finding[]
    prompt "List only the most serious problem in this diff: {{diff}}"
    timeout 20s
    retry 2 backoff exponential 500ms..4s jitter
  }

  agent judge {
    model smart
    takes all findings requires causal
    output Verdict
    prompt "Decide: {{#each findings}}{{file}}:{{line}} {{message}} {{/each}}"
    timeout 1m
    retry 2 backoff exponential 1s..10s jitter
  }

  consensus decide over judge {
    replicas 3
    quorum majority
    faults 1 crash
    agree on decision
    rounds 2
    tie_break reject
  }
}
`;
