/**
 * Hand-built view models: the code review example (with its shared models module) and a
 * "kitchen sink" team that uses every feature a view can express — tools, recursive and
 * forward-referenced types, unions, optionals, literals, stores, loops, a leader consensus with a
 * numeric quorum, a work graph with a lead.
 */
import { emptyPolicy, typeViews as t, type AgentView, type HeaderView, type ModuleView, type TeamView } from '../../compiler/emit/view-model.js';

export const header = (source: string, subject: string): HeaderView => ({ source, subject, version: '0.0.0-test', unsafe: null });

const moduleDefaults = {
  runtimeModule: 'teamc/runtime',
  importsZod: true,
  importsRuntime: true,
  imports: [],
  types: [],
  models: [],
  tools: [],
  prompts: [],
  team: null,
} satisfies Partial<ModuleView>;

export const modelsModule: ModuleView = {
  ...moduleDefaults,
  path: 'models.team.ts',
  header: header('examples/models.team', 'shared declarations'),
  importsZod: false,
  models: [
    {
      id: 'fastModel',
      name: 'fast',
      provider: 'openai',
      model: 'gpt-4o-mini',
      temperature: 0.2,
      latencyMs: 4000,
      maxTokens: 2000,
      price: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
      doc: null,
    },
    { id: 'smartModel', name: 'smart', provider: 'openai', model: 'gpt-4o', temperature: null, latencyMs: 12000, maxTokens: 4000, price: { inputPerMillion: 2.5, outputPerMillion: 10 }, doc: null },
  ],
};

const agent = (overrides: Partial<AgentView> & Pick<AgentView, 'name' | 'promptId' | 'output'>): AgentView => ({
  doc: null,
  model: 'fast',
  replicas: 1,
  takes: [],
  reads: [],
  writes: [],
  emits: [],
  calls: [],
  policy: emptyPolicy(),
  maxRounds: null,
  optional: false,
  maxTokens: null,
  ...overrides,
});

const retry = (attempts: number, minMs: number, maxMs: number) => ({ attempts, backoff: 'exponential' as const, minMs, maxMs, jitter: true });

const codeReviewTeam: TeamView = {
  name: 'CodeReview',
  doc: 'Three reviewers read a diff; judges weigh their findings; a majority decides.',
  definitionId: 'codeReview',
  inputTypeId: 'CodeReviewInput',
  outputTypeId: 'CodeReviewOutput',
  createId: 'createCodeReview',
  runId: 'runCodeReview',
  inputs: [{ name: 'diff', type: t.string, doc: null }],
  outputs: [{ name: 'verdict', type: t.ref('Verdict'), from: 'decide', doc: null }],
  deadlineMs: 300000,
  budget: { tokens: 200000, dollars: null },
  models: [
    { module: 'modelsTeam', id: 'fastModel' },
    { module: 'modelsTeam', id: 'smartModel' },
  ],
  tools: [],
  channels: [{ name: 'findings', doc: null, type: t.ref('Finding'), ordering: 'causal', delivery: 'exactly_once', capacity: null, backpressure: null, maxRounds: null }],
  stores: [{ name: 'notes', doc: null, type: t.array(t.ref('Finding')), consistency: 'causal', merge: 'append' }],
  agents: [
    agent({
      name: 'reviewer',
      replicas: 3,
      promptId: 'reviewerPrompt',
      output: t.array(t.ref('Finding')),
      takes: [{ source: 'diff', from: 'input', all: false, optional: false, requires: null }],
      writes: ['notes'],
      emits: [{ channel: 'findings', when: null, unless: null }],
      policy: { ...emptyPolicy(), timeoutMs: 30000, retry: retry(3, 500, 8000), breaker: { failures: 5, windowMs: 60000, cooldownMs: 30000 }, fallback: ['reviewer_lite'] },
    }),
    agent({
      name: 'reviewer_lite',
      promptId: 'reviewerLitePrompt',
      output: t.array(t.ref('Finding')),
      takes: [{ source: 'diff', from: 'input', all: false, optional: false, requires: null }],
      writes: ['notes'],
      emits: [{ channel: 'findings', when: null, unless: null }],
      policy: { ...emptyPolicy(), timeoutMs: 20000, retry: retry(2, 500, 4000) },
    }),
    agent({
      name: 'judge',
      model: 'smart',
      promptId: 'judgePrompt',
      output: t.ref('Verdict'),
      takes: [{ source: 'findings', from: 'channel', all: true, optional: false, requires: 'causal' }],
      reads: [{ store: 'notes', requires: 'causal' }],
      policy: { ...emptyPolicy(), timeoutMs: 60000, retry: retry(2, 1000, 10000) },
    }),
  ],
  consensus: [
    {
      name: 'decide',
      doc: null,
      over: 'judge',
      replicas: 3,
      quorumCount: null,
      quorumWord: 'majority',
      faultCount: 1,
      faultModel: 'crash',
      agreeOn: ['decision'],
      normalize: null,
      rounds: 2,
      tieBreak: 'reject',
      protocol: 'vote',
    },
  ],
  work: [],
};

export const codeReviewModule: ModuleView = {
  ...moduleDefaults,
  path: 'code-review.ts',
  header: header('examples/code-review.team', 'team CodeReview'),
  imports: [{ alias: 'modelsTeam', from: './models.team.js' }],
  types: [
    { id: 'Severity', type: t.enum('info', 'warning', 'error') },
    { id: 'Finding', type: t.record([t.field('file', t.string), t.field('line', t.int), t.field('severity', t.ref('Severity')), t.field('message', t.string)]) },
    { id: 'Verdict', type: t.record([t.field('decision', t.enum('approve', 'request_changes')), t.field('reasons', t.array(t.string))]) },
  ],
  prompts: [
    {
      id: 'reviewerPrompt',
      text: 'You are a careful code reviewer. Report each problem in this diff as a finding\nwith its file, line, severity and a one-sentence message.\n\n{{diff}}',
    },
    { id: 'reviewerLitePrompt', text: 'List only the most serious problem in this diff, if any.\n{{diff}}' },
    {
      id: 'judgePrompt',
      text: 'Findings from the reviewers:\n{{#each findings}}\n- {{file}}:{{line}} [{{severity}}] {{message}}\n{{/each}}\nDecide whether to approve the change, and give your reasons.',
    },
  ],
  team: codeReviewTeam,
};

/** Every feature at once, with awkward names and text where a view allows them. */
const sinkTeam: TeamView = {
  name: 'KitchenSink',
  doc: 'A team that uses everything.\nIts doc has two lines, a */ and a `backtick`.',
  definitionId: 'kitchenSink',
  inputTypeId: 'KitchenSinkInput',
  outputTypeId: 'KitchenSinkOutput',
  createId: 'createKitchenSink',
  runId: 'runKitchenSink',
  inputs: [
    { name: 'topic', type: t.string, doc: 'What to write about.' },
    { name: 'limit', type: t.optional(t.int), doc: null },
    { name: 'class', type: t.enum('a', 'b'), doc: null },
  ],
  outputs: [
    { name: 'tree', type: t.ref('Tree'), from: 'planner', doc: 'The plan, as a tree.' },
    { name: 'patches', type: t.array(t.ref('Patch')), from: 'build', doc: null },
  ],
  deadlineMs: 600000,
  budget: { tokens: null, dollars: 2.5 },
  models: [{ module: null, id: 'localModel' }],
  tools: [{ module: null, id: 'postCommentTool' }],
  channels: [
    { name: 'drafts', doc: 'Drafts, in order.', type: t.ref('Draft'), ordering: 'fifo', delivery: 'at_least_once', capacity: 8, backpressure: 'drop_oldest', maxRounds: 3 },
    { name: 'reviews', doc: null, type: t.record([t.field('approved', t.bool), t.field('notes', t.array(t.string), true)]), ordering: 'total', delivery: 'exactly_once', capacity: null, backpressure: null, maxRounds: null },
  ],
  stores: [{ name: 'log', doc: 'Everything said.', type: t.array(t.string), consistency: 'strong', merge: null }],
  agents: [
    agent({
      name: 'planner',
      doc: 'Plans.',
      model: 'local',
      promptId: 'plannerPrompt',
      output: t.ref('Tree'),
      takes: [
        { source: 'topic', from: 'input', all: false, optional: false, requires: null },
        { source: 'limit', from: 'input', all: false, optional: false, requires: null },
      ],
      writes: ['log'],
      calls: ['post_comment'],
      policy: { ...emptyPolicy(), hedgeAfterMs: 1500, validator: 'checker' },
      maxTokens: 512,
    }),
    agent({
      name: 'writer',
      model: 'local',
      promptId: 'writerPrompt',
      output: t.ref('Draft'),
      takes: [
        { source: 'topic', from: 'input', all: false, optional: false, requires: null },
        { source: 'reviews', from: 'channel', all: false, optional: true, requires: 'total' },
      ],
      emits: [{ channel: 'drafts', when: null, unless: null }],
      reads: [{ store: 'log', requires: null }],
      maxRounds: 3,
    }),
    agent({
      name: 'critic',
      model: 'local',
      replicas: 3,
      promptId: 'criticPrompt',
      output: t.record([t.field('approved', t.bool), t.field('notes', t.array(t.string), true)]),
      takes: [{ source: 'drafts', from: 'channel', all: false, optional: false, requires: 'fifo' }],
      emits: [{ channel: 'reviews', when: null, unless: 'approved' }],
      optional: true,
    }),
    agent({
      name: 'checker',
      model: 'local',
      promptId: 'checkerPrompt',
      output: t.record([t.field('valid', t.bool), t.field('reason', t.string, true)]),
    }),
    agent({ name: 'dev', model: 'local', replicas: 2, promptId: 'devPrompt', output: t.ref('Patch'), takes: [{ source: 'topic', from: 'input', all: false, optional: false, requires: null }] }),
    agent({ name: 'lead', model: 'local', promptId: 'leadPrompt', output: t.record([t.field('task', t.string), t.field('worker', t.int)]) }),
  ],
  consensus: [
    {
      name: 'agree',
      doc: 'Critics agree.',
      over: 'critic',
      replicas: 3,
      quorumCount: 2,
      quorumWord: null,
      faultCount: 1,
      faultModel: 'crash',
      agreeOn: [],
      normalize: 'trim_lower',
      rounds: 3,
      tieBreak: 'first',
      protocol: 'leader',
    },
  ],
  work: [
    {
      name: 'build',
      doc: 'Two tasks.',
      by: 'dev',
      assignPolicy: 'lead',
      assignLead: 'lead',
      leaseMs: 30000,
      tasks: [
        { name: 'core', after: [], weight: 1, writes: ['core.py'], doc: 'The core.' },
        { name: 'extra', after: ['core'], weight: 2.5, writes: [], doc: null },
      ],
    },
  ],
};

export const sinkModule: ModuleView = {
  ...moduleDefaults,
  path: 'nested/kitchen-sink.ts',
  header: { ...header('examples/nested/sink.team', 'team KitchenSink'), unsafe: { problems: ['examples/nested/sink.team:3:5 error[T302] a */ comment\nwith a line break'] } },
  types: [
    // Tree is recursive; it refers to Leaf, declared after it.
    {
      id: 'Tree',
      type: t.record([
        t.field('label', t.string),
        t.field('children', t.array(t.ref('Tree', null, true))),
        t.field('leaf', t.ref('Leaf', null, true), true),
        t.field('with space', t.union(t.string, t.int, t.literal("it's")), true),
        t.field('class', t.bool, true),
      ]),
    },
    // Field names that are special in JavaScript: type-checked only (zod reads absent ones from
    // Object.prototype, so `from-model.ts` refuses them in a real build).
    { id: 'Awkward', type: t.record([t.field('__proto__', t.string, true), t.field('constructor', t.number, true), t.field('toString', t.string)]) },
    { id: 'Leaf', type: t.union(t.literal('leaf'), t.record([t.field('weight', t.number)])) },
    { id: 'Patch', type: t.record([t.field('path', t.string), t.field('contents', t.string)]) },
    { id: 'Draft', type: t.record([t.field('title', t.string), t.field('body', t.string), t.field('tags', t.array(t.union(t.string, t.int)))]) },
    { id: 'Words', type: t.array(t.optional(t.enum('x', 'y'))) },
  ],
  models: [{ id: 'localModel', name: 'local', provider: 'sim', model: 'sim-1', temperature: 0, latencyMs: null, maxTokens: null, price: null, doc: 'A model with a "quoted" doc.' }],
  tools: [
    {
      id: 'postCommentTool',
      name: 'post_comment',
      kind: 'effect',
      input: t.record([t.field('file', t.string), t.field('text', t.string)]),
      output: t.string,
      idempotencyKey: ['file'],
      timeoutMs: 5000,
      doc: null,
    },
  ],
  prompts: [
    { id: 'plannerPrompt', text: 'Plan `{{topic}}` (limit {{limit}}); ${not a substitution}; a \\ backslash; \\{{escaped}}\r\nend\u2028.' },
    { id: 'writerPrompt', text: 'Write about {{topic}}.{{#if reviews}} Revise.{{/if}}' },
    { id: 'criticPrompt', text: 'Review {{drafts.title}}.' },
    { id: 'checkerPrompt', text: 'Is this valid? {{json output}}' },
    { id: 'devPrompt', text: 'Do {{task.name}} for {{topic}}.' },
    { id: 'leadPrompt', text: 'Assign one of {{json ready}} to one of {{json idle}}.' },
  ],
  team: sinkTeam,
};
