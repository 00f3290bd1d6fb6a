/**
 * Fault specifications for `teamc simulate`: a SPEC string such as
 * `model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1`
 * parsed into a `FaultSpec`, and turned, per run, into the sim provider's settings and the
 * adversarial network's — doing everything each declared guarantee still allows, and nothing more:
 *
 * - the network's faults (drop, duplicate, reorder, delay) apply to every envelope: every channel
 *   and store must survive them with the guarantees it declares;
 * - model faults (time-outs, 429/5xx, malformed and schema-invalid output, stragglers) hit every
 *   call: the fault policies must absorb them or the run fails typed;
 * - wrong answers hit ordinary agents freely, but a consensus only declares tolerance of its own
 *   fault model: under `crash` its replicas never lie; under `byzantine` at most f of them do;
 * - crashes stop whole replicas of a consensus (every call from the start of the run fails to
 *   connect), at most the f its declaration tolerates: crashing a replica anywhere else is a
 *   failure no declaration promises to survive;
 * - stubbornness and verbosity break no contract at all — a model may never approve, and may use
 *   every token it is allowed — so they hit every agent: a stubborn agent never meets the exit
 *   condition of a loop it feeds (only a `max rounds` ends the loop), a verbose answer is billed
 *   its whole `max_tokens` (only a budget that covers the worst case absorbs it).
 */
import type { AgentDefinition, ConsensusDefinition, TeamDefinition } from '../definition.js';
import type { Random } from '../random.js';
import { ProviderConnectionError } from '../providers/errors.js';
import { differentValue } from '../providers/sim-faults.js';
import { canonicalJson } from '../providers/request-key.js';
import type { SimBehaviour, SimContext, SimFaults, SimOptions } from '../providers/sim.js';
import type { CompletionRequest } from '../providers/types.js';
import type { NetworkFaults } from '../transport/adversarial.js';

export interface FaultSpec {
  /** Share of calls answered 429 or 5xx (split evenly). */
  modelErrors?: number;
  /** Share of calls that hang until the caller's timeout (or the provider's own deadline). */
  timeouts?: number;
  /** Share of calls whose answer is not JSON (cut off, or wrapped in chatter). */
  malformed?: number;
  /** Share of calls whose answer is JSON the schema rejects. */
  schemaInvalid?: number;
  /** Share of calls answered with a valid but wrong value (see the consensus rule above). */
  wrongAnswers?: number;
  /** Share of calls stretched by a heavy-tailed factor; unset keeps the simulator's default (5%). */
  stragglers?: number;
  /**
   * Per run, the chance that an agent which can keep a loop going (a guarded `emits … unless f` /
   * `when f` on a channel that leads back to it) is stubborn for the whole run: every answer keeps
   * the loop going (`f` false for `unless`, true for `when`), as a critic that never approves.
   */
  stubborn?: number;
  /** Share of answers that run to the model's `max_tokens` (reasoning or rambling up to the limit), billed in full. */
  verbose?: number;
  /** Replicas of each consensus that crash-stop, capped at the consensus's declared faults. */
  crashes?: number;
  /**
   * Not a fault: the share of a consensus's replicas that hold their own view of a question (the
   * sim provider's `disagreement`), as independent samples of a model do. Default 0.
   */
  disagreement?: number;
  /** Network: probability that a copy is duplicated. */
  duplicates?: number;
  /** Network: probability that a copy may overtake earlier ones on its link. */
  reorder?: number;
  /** Network: probability that a copy or an acknowledgement is lost. */
  drops?: number;
  /** Network latency per copy, uniform in [min, max] ms. Default [1, 50]: reordering needs a spread. */
  delayMs?: readonly [number, number];
}

/** The keys a SPEC string may use, with the field each sets. */
const SPEC_KEYS = {
  'model-errors': 'modelErrors',
  timeouts: 'timeouts',
  malformed: 'malformed',
  'schema-invalid': 'schemaInvalid',
  'wrong-answers': 'wrongAnswers',
  stragglers: 'stragglers',
  stubborn: 'stubborn',
  verbose: 'verbose',
  crashes: 'crashes',
  disagreement: 'disagreement',
  duplicates: 'duplicates',
  reorder: 'reorder',
  drops: 'drops',
  delay: 'delayMs',
} as const satisfies Record<string, keyof FaultSpec>;

type SpecKey = keyof typeof SPEC_KEYS;

export const DEFAULT_DELAY_MS: readonly [number, number] = [1, 50];

/** A provider's own deadline for a hung call, so a hang always ends (the OpenAI SDK's default). */
export const PROVIDER_TIMEOUT_MS = 600_000;

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/**
 * Parses `key=value,key=value`. Probabilities are in [0, 1]; `crashes` is a count; `delay` is
 * `max` or `min..max` milliseconds. Unknown keys, repeated keys and bad values are errors that
 * say which part is wrong and list what is allowed.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^([a-z-]+)\s*=\s*(\S+)$/.exec(part);
    if (!match) throw new FaultSpecError(`fault spec: "${part}" is not key=value`);
    const [, key, value] = match as unknown as [string, string, string];
    if (!(key in SPEC_KEYS)) throw new FaultSpecError(`fault spec: unknown fault "${key}" (known: ${Object.keys(SPEC_KEYS).join(', ')})`);
    if (seen.has(key)) throw new FaultSpecError(`fault spec: "${key}" is given twice`);
    seen.add(key);
    const field = SPEC_KEYS[key as SpecKey];
    if (field === 'delayMs') spec[field] = parseDelay(value);
    else if (field === 'crashes') spec[field] = parseCount(key, value);
    else spec[field] = parseProbability(key, value);
  }
  const parsed = spec as FaultSpec;
  checkFaultSpec(parsed);
  return parsed;
}

/** The canonical SPEC string of a spec (keys in a fixed order, unset ones left out). */
export function formatFaultSpec(spec: FaultSpec): string {
  const parts: string[] = [];
  for (const [key, field] of Object.entries(SPEC_KEYS)) {
    const value = spec[field];
    if (value === undefined) continue;
    parts.push(field === 'delayMs' ? `${key}=${(value as readonly number[])[0]}..${(value as readonly number[])[1]}` : `${key}=${value}`);
  }
  return parts.join(',');
}

/** Throws `FaultSpecError` when a spec built in code is out of range. */
export function checkFaultSpec(spec: FaultSpec): void {
  for (const [key, field] of Object.entries(SPEC_KEYS)) {
    const value = spec[field];
    if (value === undefined || field === 'delayMs' || field === 'crashes') continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new FaultSpecError(`fault spec: ${key} must be a probability in [0, 1], got ${String(value)}`);
  }
  if (spec.crashes !== undefined && !(Number.isInteger(spec.crashes) && spec.crashes >= 0)) {
    throw new FaultSpecError(`fault spec: crashes must be a non-negative whole number, got ${spec.crashes}`);
  }
  if (spec.delayMs !== undefined) {
    const [min, max] = spec.delayMs;
    if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) throw new FaultSpecError(`fault spec: delay must be min..max with 0 ≤ min ≤ max, got ${min}..${max}`);
  }
  const modelFaults = (spec.modelErrors ?? 0) + (spec.timeouts ?? 0) + (spec.malformed ?? 0) + (spec.schemaInvalid ?? 0) + (spec.wrongAnswers ?? 0);
  if (modelFaults > 1 + 1e-9) {
    throw new FaultSpecError(`fault spec: model faults (model-errors, timeouts, malformed, schema-invalid, wrong-answers) add up to ${modelFaults}, more than 1`);
  }
}

function parseProbability(key: string, value: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new FaultSpecError(`fault spec: ${key} must be a probability in [0, 1], got "${value}"`);
  return n;
}

function parseCount(key: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new FaultSpecError(`fault spec: ${key} must be a whole number, got "${value}"`);
  return Number(value);
}

function parseDelay(value: string): readonly [number, number] {
  const match = /^(\d+(?:\.\d+)?)(?:ms)?(?:\.\.(\d+(?:\.\d+)?)(?:ms)?)?$/.exec(value);
  if (!match) throw new FaultSpecError(`fault spec: delay must be "max" or "min..max" milliseconds, got "${value}"`);
  const first = Number(match[1]);
  const range: [number, number] = match[2] === undefined ? [0, first] : [first, Number(match[2])];
  if (range[1] < range[0]) throw new FaultSpecError(`fault spec: delay ${value} is an empty range`);
  return range;
}

// ---------------------------------------------------------------------------------------------
// From a spec to one run's settings

/** What the faults do to one consensus in one run. */
export interface ConsensusFaultPlan {
  consensus: string;
  /** The agent whose instances vote, and the stand-ins (fallbacks, validator) that answer for them. */
  agents: string[];
  /** Replicas that crash-stop for the whole run. */
  crashed: number[];
  /** Byzantine replicas that answer wrong with probability `wrongAnswers` per call. */
  liars: number[];
}

/** An agent made stubborn for one run: every answer of it (or of a fallback answering for it) has these fields. */
export interface StubbornPlan {
  agent: string;
  /** The agent and its fallback chain: whoever's answer the agent emits. */
  answeredBy: string[];
  /** Field path (into the output, or into each element of a list output) → the value that keeps its loop going. */
  fields: Record<string, boolean>;
}

export interface RunFaults {
  network: NetworkFaults;
  /** Options for `createSimProvider` (without `seed` and `onCall`, which the driver adds). */
  sim: Omit<SimOptions, 'seed' | 'onCall'>;
  consensus: ConsensusFaultPlan[];
  stubborn: StubbornPlan[];
}

/** What a spec cannot do to this team without breaking a declared guarantee, said once per simulation. */
export function faultNotes(definition: TeamDefinition<unknown, unknown>, spec: FaultSpec): string[] {
  const notes: string[] = [];
  const crashes = spec.crashes ?? 0;
  for (const vote of definition.consensus) {
    const f = vote.faults.count;
    if (crashes > f) notes.push(`consensus ${vote.name} tolerates ${f} ${vote.faults.model} fault${f === 1 ? '' : 's'}: crashing ${f} of ${vote.replicas} replicas, not ${crashes}`);
    if ((spec.wrongAnswers ?? 0) > 0 && vote.faults.model === 'crash') notes.push(`consensus ${vote.name} declares crash faults only: its replicas (agent ${vote.over}) never answer wrong`);
  }
  if (crashes > 0 && definition.consensus.length === 0) notes.push(`no consensus declares tolerance of crashed replicas: crashes=${crashes} has nothing to crash`);
  return notes;
}

/**
 * One run's faults. `random` decides which replicas crash or lie (a fork per consensus), so the
 * plan is fixed by the run's seed.
 */
export function planRunFaults(definition: TeamDefinition<unknown, unknown>, spec: FaultSpec, random: Random): RunFaults {
  const modelErrors = spec.modelErrors ?? 0;
  const faults: SimFaults = {
    timeout: spec.timeouts ?? 0,
    rateLimit: modelErrors / 2,
    serverError: modelErrors / 2,
    malformed: spec.malformed ?? 0,
    schemaInvalid: spec.schemaInvalid ?? 0,
    wrongAnswer: spec.wrongAnswers ?? 0,
  };
  const agentsByName = new Map(definition.agents.map((a) => [a.name, a]));
  const plans = definition.consensus.map((vote) => planConsensus(vote, agentsByName, spec, random.fork(`consensus:${vote.name}`)));

  // Replicas of a consensus lie only through the plan (never by the global rate).
  const agents: Record<string, SimBehaviour> = {};
  const byAgent = new Map<string, ConsensusFaultPlan>();
  for (const plan of plans) {
    for (const agent of plan.agents) {
      agents[agent] = { faults: { wrongAnswer: 0 }, ...(spec.disagreement ? { disagreement: spec.disagreement } : {}) };
      byAgent.set(agent, plan);
    }
  }
  const stubborn = planStubborn(definition, spec.stubborn ?? 0, random.fork('stubborn'));
  const stubbornBy = new Map<string, StubbornPlan>();
  for (const plan of stubborn) {
    for (const agent of plan.answeredBy) {
      if (stubbornBy.has(agent)) continue;
      stubbornBy.set(agent, plan);
      // A wrong answer would redraw the exit field: a stubborn agent keeps to its one fault.
      agents[agent] = { ...agents[agent], faults: { ...agents[agent]?.faults, wrongAnswer: 0 } };
    }
  }

  const wrongRate = spec.wrongAnswers ?? 0;
  const consensusAnswer = (request: CompletionRequest, context: SimContext): unknown => {
    const plan = byAgent.get(request.agent);
    if (!plan) return undefined;
    if (plan.crashed.includes(context.instance)) {
      throw new ProviderConnectionError({ provider: 'sim', agent: request.agent }, `replica ${context.instance} of ${plan.consensus} crashed (simulated)`);
    }
    if (plan.liars.includes(context.instance) && context.random.chance(wrongRate)) {
      return differentValue(request.schema, context.answer(), context.random.fork('lie')) ?? undefined;
    }
    return undefined;
  };
  const sim: RunFaults['sim'] = {
    faults,
    providerTimeoutMs: PROVIDER_TIMEOUT_MS,
    ...(spec.stragglers !== undefined ? { latency: { stragglerRate: spec.stragglers } } : {}),
    ...(spec.verbose !== undefined ? { verbose: spec.verbose } : {}),
    agents,
    respond: (request, context) => {
      const value = consensusAnswer(request, context);
      const plan = stubbornBy.get(request.agent);
      if (!plan) return value;
      const own = value === undefined ? context.answer() : value;
      const stubborn = keepLooping(own, plan.fields);
      // Script only what changes: an unscripted answer keeps the simulator's own path (tools included).
      return value === undefined && canonicalJson(stubborn) === canonicalJson(own) ? undefined : stubborn;
    },
  };
  const [min, max] = spec.delayMs ?? DEFAULT_DELAY_MS;
  return {
    network: { drop: spec.drops ?? 0, duplicate: spec.duplicates ?? 0, reorder: spec.reorder ?? 0, delayMs: [min, max] },
    sim,
    consensus: plans,
    stubborn,
  };
}

/**
 * The agents made stubborn in this run. A candidate has a guarded emission (`when f` / `unless f`)
 * on a channel from which the flow of channels and agents leads back to it: the guard is then the
 * loop's exit condition, and a stubborn answer never meets it. Each candidate is drawn once per run
 * (a fork per agent, so adding an agent leaves the others' draws alone).
 */
function planStubborn(definition: TeamDefinition<unknown, unknown>, rate: number, random: Random): StubbornPlan[] {
  if (rate <= 0) return [];
  const agents = new Map(definition.agents.map((a) => [a.name, a]));
  const consumers = new Map<string, string[]>();
  for (const agent of definition.agents) for (const take of agent.takes) if (take.from === 'channel') consumers.set(take.source, [...(consumers.get(take.source) ?? []), agent.name]);
  /** Does the flow from `channel` reach `agent`? */
  const leadsTo = (channel: string, agent: string): boolean => {
    const seen = new Set<string>();
    const queue = [channel];
    while (queue.length > 0) {
      for (const consumer of consumers.get(queue.shift()!) ?? []) {
        if (consumer === agent) return true;
        if (seen.has(consumer)) continue;
        seen.add(consumer);
        for (const emit of agents.get(consumer)?.emits ?? []) queue.push(emit.channel);
      }
    }
    return false;
  };
  const plans: StubbornPlan[] = [];
  for (const agent of definition.agents) {
    const fields: Record<string, boolean> = {};
    for (const emit of agent.emits) {
      if (!leadsTo(emit.channel, agent.name)) continue;
      if (emit.unless !== undefined) fields[emit.unless] = false;
      else if (emit.when !== undefined) fields[emit.when] = true;
    }
    if (Object.keys(fields).length === 0 || !random.fork(agent.name).chance(rate)) continue;
    plans.push({ agent: agent.name, answeredBy: fallbackChain(agent.name, agents), fields });
  }
  return plans;
}

/** The agent and the fallbacks that answer in its place, transitively (their answers are emitted as its own). */
function fallbackChain(agent: string, agents: ReadonlyMap<string, AgentDefinition>): string[] {
  const found = [agent];
  for (let i = 0; i < found.length; i++) for (const next of agents.get(found[i]!)?.policy.fallback ?? []) if (!found.includes(next)) found.push(next);
  return found;
}

/** A copy of `value` (or of each element of a list) with `fields` set: the answer that keeps the loop going. */
export function keepLooping(value: unknown, fields: Readonly<Record<string, boolean>>): unknown {
  if (Array.isArray(value)) return value.map((item) => keepLooping(item, fields));
  if (typeof value !== 'object' || value === null) return value;
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const [path, flag] of Object.entries(fields)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = flag;
  }
  return copy;
}

function planConsensus(vote: ConsensusDefinition, agents: ReadonlyMap<string, AgentDefinition>, spec: FaultSpec, random: Random): ConsensusFaultPlan {
  const f = vote.faults.count;
  const replicas = Array.from({ length: vote.replicas }, (_, i) => i);
  const crashed = take(replicas, Math.min(spec.crashes ?? 0, f), random);
  const liars = vote.faults.model === 'byzantine' && (spec.wrongAnswers ?? 0) > 0 ? take(replicas.filter((r) => !crashed.includes(r)), f - crashed.length, random) : [];
  return { consensus: vote.name, agents: standIns(vote.over, agents), crashed, liars };
}

/** The agent and everything that answers in its place (fallback chain, validator), transitively. */
function standIns(agent: string, agents: ReadonlyMap<string, AgentDefinition>): string[] {
  const found = [agent];
  for (let i = 0; i < found.length; i++) {
    const policy = agents.get(found[i]!)?.policy;
    for (const next of [...(policy?.fallback ?? []), ...(policy?.validator ? [policy.validator] : [])]) if (!found.includes(next)) found.push(next);
  }
  return found;
}

/** `count` distinct items, chosen by `random` (a partial Fisher–Yates shuffle), in ascending order. */
function take(items: readonly number[], count: number, random: Random): number[] {
  const pool = [...items];
  const chosen: number[] = [];
  for (let i = 0; i < count && pool.length > 0; i++) chosen.push(pool.splice(random.int(0, pool.length - 1), 1)[0]!);
  return chosen.sort((a, b) => a - b);
}
