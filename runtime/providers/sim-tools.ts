/**
 * The simulated model's tool round: offered tools and no results yet, it asks for each offered
 * tool once, with arguments drawn from the tool's input schema. The arguments are fixed by
 * (seed, agent, request) — like the simulator's correct answer — so every retry, hedge copy and
 * redelivered message that asks the same question asks for the same call: what lets an
 * idempotency key recognise the repeat, and what makes an un-keyed effect visibly run twice.
 * The call's fault spoils the round as it would an answer: other arguments (a wrong answer),
 * arguments the tool's schema rejects, or arguments that are not JSON.
 */
import { seededRandom, type Random } from '../random.js';
import type { GenerateOptions } from './generate.js';
import { generateValue } from './generate.js';
import { corruptValue, differentValue, malformText } from './sim-faults.js';
import type { CompletionRequest } from './types.js';
import type { SimFault } from './sim.js';

/** One call as the simulated model writes it: the arguments as JSON text (maybe spoiled). */
export interface SimToolCallText {
  id: string;
  name: string;
  text: string;
}

/** True when the simulator answers `request` with tool calls rather than an output. */
export function wantsTools(request: CompletionRequest): boolean {
  return (request.tools?.length ?? 0) > 0 && !request.messages.some((m) => m.role === 'tool');
}

export function simToolCalls(
  request: CompletionRequest,
  context: { seed: number | string; key: string; fault: SimFault | undefined; random: Random; generate: GenerateOptions },
): { calls: SimToolCallText[]; truncated: boolean } {
  const { seed, key, fault, random, generate } = context;
  let truncated = false;
  const calls = (request.tools ?? []).map((tool, i) => {
    let args = generateValue(tool.input, seededRandom(`${seed}/tool/${request.agent}/${key}/${tool.name}`), generate);
    let spoiled = false;
    if (fault === 'wrongAnswer') args = differentValue(tool.input, args, random.fork(`wrong:${tool.name}`), generate) ?? args;
    if (fault === 'schemaInvalid') {
      const invalid = corruptValue(args, tool.input, random.fork(`corrupt:${tool.name}`));
      if (invalid === undefined) spoiled = true;
      else args = invalid;
    }
    let text = JSON.stringify(args) ?? 'null';
    // A malformed answer spoils the first call's arguments: one unusable call spoils the round.
    if ((fault === 'malformed' && i === 0) || spoiled) {
      const malformed = malformText(text, random.fork(`malformed:${tool.name}`));
      text = malformed.raw;
      truncated ||= malformed.truncated;
    }
    return { id: `call_${key.slice(0, 8)}_${i + 1}`, name: tool.name, text };
  });
  return { calls, truncated };
}
