/** Graphs the analyser's tests share: the math library written out by hand, and random DAGs. */
import fc from 'fast-check';
import type { AgentEdge, AgentNode, WorkGraph, WorkTaskInput } from '../../compiler/analyze/index.js';
import { mathLibraryTasks } from '../runtime/team/graphs.js';

export const task = (name: string, after: string[] = [], weight = 1): WorkTaskInput => ({ name, after, weight });

/** examples/math-library.team (weight 1 except div, sqrt and gcd), as the runtime's tests write it out. */
export const mathLibrary: WorkGraph = {
  tasks: mathLibraryTasks.map(({ name, after, weight }) => task(name, [...after], weight)),
};

export const chain = (n: number, weight = 1): WorkGraph => ({
  tasks: Array.from({ length: n }, (_, i) => task(`t${i}`, i === 0 ? [] : [`t${i - 1}`], weight)),
});

export const independent = (n: number, weight = 1): WorkGraph => ({
  tasks: Array.from({ length: n }, (_, i) => task(`t${i}`, [], weight)),
});

export const diamond: WorkGraph = {
  tasks: [task('a'), task('b', ['a'], 2), task('c', ['a'], 3), task('d', ['b', 'c'])],
};

/**
 * A random DAG: edges only from a lower to a higher rank, then declared in a shuffled order so
 * declaration order is not a topological order. Weights are positive multiples of 0.5 (exact in
 * binary floating point, so tie-breaking is tested, not rounding).
 */
export const randomDag = (maxTasks = 14): fc.Arbitrary<WorkGraph> =>
  fc
    .integer({ min: 1, max: maxTasks })
    .chain((n) =>
      fc.tuple(
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: n, maxLength: n }),
        fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
        fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        fc.integer({ min: 1, max: 4 }),
      ),
    )
    .map(([halves, matrix, declared, sparsity]) => {
      const n = halves.length;
      const name = (rank: number) => `n${rank}`;
      const tasks = declared.map((rank) => {
        const after: string[] = [];
        for (let earlier = 0; earlier < rank; earlier++) {
          // Thin the edges: keep one in `sparsity` of the coin flips that came up true.
          if (matrix[earlier]![rank] && (earlier + rank) % sparsity === 0) after.push(name(earlier));
        }
        return task(name(rank), after, halves[rank]! / 2);
      });
      return { tasks: n > 0 ? tasks : [] };
    });

const zero = { tokens: 0, dollars: 0 };

export const agent = (name: string, latencyMs: number, extra: Partial<AgentNode> = {}): AgentNode => ({
  name,
  latencyMs,
  replicas: 1,
  activations: 1,
  costPerActivation: zero,
  ...extra,
});

export const edge = (from: string, to: string, kind: AgentEdge['kind'] = 'channel', extra: Partial<AgentEdge> = {}): AgentEdge => ({
  from,
  to,
  kind,
  messagesPerActivation: 1,
  ...extra,
});
