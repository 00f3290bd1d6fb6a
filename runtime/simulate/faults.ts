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
 *   failure no declaration promises to survive.
 */
import type { AgentDefinition, ConsensusDefinition, TeamDefinition } from '../definition.js';
import type { Random } from '../random.js';
import { ProviderConnectionError } from '../providers/errors.js';
import { differentValue } from '../providers/sim-faults.js';
import type { SimBehaviour, SimFaults, SimOptions } from '../providers/sim.js';
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
  /** Replicas of each consensus that crash-stop, capped at the consensus's declared faults. */
  crashes?: number;
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
  crashes: 'crashes',
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

export interface RunFaults {
  network: NetworkFaults;
  /** Options for `createSimProvider` (without `seed` and `onCall`, which the driver adds). */
  sim: Omit<SimOptions, 'seed' | 'onCall'>;
  consensus: ConsensusFaultPlan[];
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
      agents[agent] = { faults: { wrongAnswer: 0 } };
      byAgent.set(agent, plan);
    }
  }
  const wrongRate = spec.wrongAnswers ?? 0;
  const sim: RunFaults['sim'] = {
    faults,
    providerTimeoutMs: PROVIDER_TIMEOUT_MS,
    ...(spec.stragglers !== undefined ? { latency: { stragglerRate: spec.stragglers } } : {}),
    agents,
    respond: (request, context) => {
      const plan = byAgent.get(request.agent);
      if (!plan) return undefined;
      if (plan.crashed.includes(context.instance)) {
        throw new ProviderConnectionError({ provider: 'sim', agent: request.agent }, `replica ${context.instance} of ${plan.consensus} crashed (simulated)`);
      }
      if (plan.liars.includes(context.instance) && context.random.chance(wrongRate)) {
        return differentValue(request.schema, context.answer(), context.random.fork('lie')) ?? undefined;
      }
      return undefined;
    },
  };
  const [min, max] = spec.delayMs ?? DEFAULT_DELAY_MS;
  return {
    network: { drop: spec.drops ?? 0, duplicate: spec.duplicates ?? 0, reorder: spec.reorder ?? 0, delayMs: [min, max] },
    sim,
    consensus: plans,
  };
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
