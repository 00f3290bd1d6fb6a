/** Timing helpers for the benchmarks: warm up, take the median, print a markdown table. */
export type Row = Record<string, string | number>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median milliseconds of `runs` calls, after two warm-up calls. */
export function time(runs: number, fn: () => unknown): number {
  fn();
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export function printTable(title: string, rows: Row[]): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]!);
  console.log(`\n### ${title}\n`);
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${headers.map((h) => String(row[h] ?? '')).join(' | ')} |`);
}
