/** Shared fixtures: the twenty-task graph of examples/math-library.team. */
import type { WorkTask } from '../../../runtime/work.js';

const task = (name: string, after: string[] = [], weight = 1): WorkTask => ({ name, after, weight, writes: [`${name}.py`] });

export const mathLibraryTasks: WorkTask[] = [
  task('core'),
  task('add', ['core']),
  task('sub', ['core']),
  task('mul', ['core']),
  task('div', ['core'], 2),
  task('safe_add', ['add']),
  task('safe_div', ['div']),
  task('pow', ['mul']),
  task('sqrt', ['div', 'mul'], 2),
  task('mean', ['add', 'div']),
  task('variance', ['mean', 'sub', 'mul']),
  task('stddev', ['variance', 'sqrt']),
  task('clamp', ['core']),
  task('lerp', ['add', 'mul']),
  task('round', ['core']),
  task('gcd', ['core'], 2),
  task('lcm', ['gcd', 'mul']),
  task('tests_basic', ['safe_add', 'safe_div', 'pow', 'clamp']),
  task('tests_stats', ['stddev', 'lerp', 'round']),
  task('docs', ['tests_basic', 'tests_stats', 'lcm']),
];
