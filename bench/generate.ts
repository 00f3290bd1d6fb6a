/**
 * Generates large, valid `.team` specs for the benchmarks: many teams, each a pipeline of
 * agents with types, channels, stores, prompts, fault policies, a vote and a work graph.
 * Deterministic: the same line target gives the same text.
 */

/** One team of about 120 lines; `index` keeps names unique across teams. */
function team(index: number): string {
  const t = `T${index}`;
  const stages = 6;
  const lines: string[] = [];
  lines.push(`// team ${index}: a ${stages}-stage pipeline with a vote and a work graph`);
  lines.push(`team Pipeline${index} {`);
  lines.push(`  doc "Generated pipeline number ${index}."`);
  lines.push(`  input  request: string`);
  lines.push(`  output result: ${t}Verdict from decide${index}`);
  lines.push(`  deadline 30m`);
  lines.push(`  budget 2M tokens $20`);
  lines.push('');
  lines.push(`  model fast${index} { provider openai  name "gpt-4o-mini"  latency 4s  max_tokens 2k  price input $0.15 output $0.60 per 1M }`);
  lines.push('');
  lines.push(`  type ${t}Level = "low" | "medium" | "high"`);
  lines.push(`  type ${t}Item { id: string  score: number  level: ${t}Level  tags: string[]  note?: string }`);
  lines.push(`  type ${t}Verdict { decision: "yes" | "no"  reasons: string[] }`);
  lines.push('');
  lines.push(`  store ${t.toLowerCase()}_log: ${t}Item[] { consistency causal  merge append }`);
  for (let s = 0; s < stages; s++) {
    lines.push(`  channel c${index}_${s}: ${t}Item { ordering causal  delivery exactly_once }`);
  }
  lines.push('');
  for (let s = 0; s < stages; s++) {
    const takes = s === 0 ? 'request' : `c${index}_${s - 1}`;
    const variable = s === 0 ? '{{request}}' : `{{${takes}.id}} scored {{${takes}.score}} ({{${takes}.level}})`;
    lines.push(`  agent stage${index}_${s} {`);
    lines.push(`    replicas 2`);
    lines.push(`    model fast${index}`);
    lines.push(`    takes ${takes}${s === 0 ? '' : ' requires causal'}`);
    lines.push(`    writes ${t.toLowerCase()}_log`);
    lines.push(`    emits c${index}_${s}`);
    lines.push(`    output ${t}Item`);
    lines.push(`    prompt """`);
    lines.push(`      Stage ${s} of pipeline ${index}. Look at this input and score it.`);
    lines.push(`      ${variable}`);
    lines.push(`    """`);
    lines.push(`    timeout 30s`);
    lines.push(`    retry 2 backoff exponential 500ms..8s jitter`);
    lines.push(`  }`);
  }
  lines.push('');
  lines.push(`  agent judge${index} {`);
  lines.push(`    model fast${index}`);
  lines.push(`    takes all c${index}_${stages - 1} requires causal`);
  lines.push(`    reads ${t.toLowerCase()}_log requires causal`);
  lines.push(`    output ${t}Verdict`);
  lines.push(`    prompt """`);
  lines.push(`      {{#each c${index}_${stages - 1}}}- {{id}}: {{score}} {{#each tags}}#{{this}} {{/each}}`);
  lines.push(`      {{/each}}`);
  lines.push(`      Decide yes or no.`);
  lines.push(`    """`);
  lines.push(`    timeout 1m`);
  lines.push(`    retry 2 backoff exponential 1s..10s jitter`);
  lines.push(`  }`);
  lines.push('');
  lines.push(`  consensus decide${index} over judge${index} {`);
  lines.push(`    replicas 3  quorum majority  faults 1 crash  agree on decision  rounds 2  tie_break reject`);
  lines.push(`  }`);
  lines.push('');
  lines.push(`  agent worker${index} {`);
  lines.push(`    replicas 3`);
  lines.push(`    model fast${index}`);
  lines.push(`    takes request`);
  lines.push(`    output ${t}Item`);
  lines.push(`    prompt """`);
  lines.push(`      Do task {{task.name}} for {{request}}.`);
  lines.push(`    """`);
  lines.push(`    timeout 1m`);
  lines.push(`    retry 2 backoff exponential 1s..10s jitter`);
  lines.push(`  }`);
  lines.push(`  work jobs${index} by worker${index} {`);
  lines.push(`    assign claim`);
  const tasks = 8;
  for (let k = 0; k < tasks; k++) {
    const after = k === 0 ? '' : `after j${index}_${Math.floor((k - 1) / 2)}  `;
    lines.push(`    task j${index}_${k} { ${after}writes "out/${index}/${k}.txt" }`);
  }
  lines.push(`  }`);
  lines.push(`}`);
  lines.push('');
  return lines.join('\n');
}

export function generateSpec(targetLines: number): string {
  const parts: string[] = [`// A generated spec of about ${targetLines} lines for benchmarks.\n`];
  let lines = 1;
  for (let i = 0; lines < targetLines; i++) {
    const text = team(i);
    parts.push(text);
    lines += text.split('\n').length - 1;
  }
  return parts.join('\n');
}

export function countLines(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
