/**
 * What a declaration guarantees without saying so: the defaults the checker applied (a channel
 * is `unordered` and `at_most_once` unless it says otherwise). Hover shows them beside what was
 * written, read from the checked model (`model.ts`), so they are the checker's, never a guess.
 */
import type { ConsensusModel, ProgramModel, TeamModel } from '../model.js';
import type { DeclaredSymbol } from './symbols.js';

/** Lines in the language's syntax, each marked as a default or a resolved value. */
export function impliedProperties(symbol: DeclaredSymbol, model: ProgramModel | undefined): string[] {
  if (model === undefined) return [];
  if (symbol.kind === 'tool') {
    const tool = (teamOf(symbol, model)?.tools ?? model.files.get(symbol.file)?.tools)?.get(symbol.name);
    if (tool === undefined || tool.file !== symbol.file || tool.spans.pure !== undefined || tool.spans.effect !== undefined) return [];
    return [`${tool.kind}  // default: a tool changes the world unless declared \`pure\``];
  }
  const team = teamOf(symbol, model);
  if (team === undefined) return [];
  switch (symbol.kind) {
    case 'channel': {
      const channel = team.channels.get(symbol.name);
      if (channel === undefined || channel.file !== symbol.file) return [];
      return [
        ...(channel.spans.ordering === undefined ? [`ordering ${channel.ordering}  // default`] : []),
        ...(channel.spans.delivery === undefined ? [`delivery ${channel.delivery}  // default`] : []),
      ];
    }
    case 'store': {
      const store = team.stores.get(symbol.name);
      if (store === undefined || store.file !== symbol.file) return [];
      return store.spans.consistency === undefined ? [`consistency ${store.consistency}  // default`] : [];
    }
    case 'consensus': {
      const consensus = team.consensus.get(symbol.name);
      return consensus === undefined || consensus.file !== symbol.file ? [] : consensusLines(consensus);
    }
    case 'work': {
      const work = team.work.get(symbol.name);
      if (work === undefined || work.file !== symbol.file) return [];
      return work.spans.assign === undefined ? [`assign ${work.assign.policy}  // default`] : [];
    }
    default:
      return [];
  }
}

function consensusLines(consensus: ConsensusModel): string[] {
  const lines: string[] = [];
  if (consensus.spans.quorum === undefined) lines.push(`quorum ${consensus.quorumSize}  // default`);
  else if (typeof consensus.quorum === 'string') lines.push(`// quorum ${consensus.quorum}: ${consensus.quorumSize} of ${consensus.replicas}`);
  if (consensus.spans.faults === undefined) lines.push(`faults ${consensus.faults.count} ${consensus.faults.model}  // default`);
  if (consensus.spans.protocol === undefined) lines.push(`protocol ${consensus.protocol}  // default`);
  return lines;
}

function teamOf(symbol: DeclaredSymbol, model: ProgramModel): TeamModel | undefined {
  const container = symbol.container;
  if (container?.kind !== 'team') return undefined;
  return model.teams.find((team) => team.name === container.name && team.file === symbol.file);
}
