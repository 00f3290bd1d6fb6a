/**
 * Capabilities (T800–T802): least privilege (nothing makes an agent touch what it did not
 * declare), declarations nobody uses, and secrets written into the file.
 */
import type { Diagnostic, Label } from '../../diagnostics/diagnostic.js';
import { createDiagnostic } from '../../diagnostics/registry.js';
import type { ModelModel, ProgramModel, TeamModel, ToolModel, Type, TypeDeclarationModel } from '../../model.js';
import type { RuleContext } from './context.js';

const q = (name: string) => `\`${name}\``;

/** T800 and the team-level part of T801 (channels, stores, agents). */
export function checkCapabilities(team: TeamModel, ctx: RuleContext): Diagnostic[] {
  return [...undeclaredTaskWrites(team), ...unusedTeamMembers(team, ctx)];
}

/** T800: a task of a work graph makes its worker write a file or key the worker does not declare. */
function undeclaredTaskWrites(team: TeamModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const work of team.work.values()) {
    const worker = team.agents.get(work.by);
    // A worker that lists no files leaves its graph's tasks to state what they write (language.md:
    // an agent *may* list them); once it lists any, the list is its whole capability.
    if (worker === undefined || worker.fileWrites.length === 0) continue;
    const declared = new Set(worker.fileWrites.map((w) => w.target));
    const declaredLabel: Label = {
      file: worker.file,
      span: worker.fileWrites[0]!.span,
      message: `what ${q(worker.name)} may write: ${worker.fileWrites.map((w) => `"${w.target}"`).join(', ')}`,
    };
    for (const task of work.tasks.values()) {
      for (const target of new Set(task.writes)) {
        if (declared.has(target)) continue;
        found.push(
          createDiagnostic({
            code: 'T800',
            args: { agent: worker.name, action: 'write', target: `"${target}"`, via: `task ${q(task.name)}` },
            at: { file: task.file, span: task.spans.writes ?? task.nameSpan },
            label: `not among the \`writes\` of ${q(worker.name)}`,
            related: [declaredLabel],
            notes: ["least privilege: generated code gives an agent exactly the capabilities it declares, and the runtime refuses the rest"],
            help: [`add "${target}" to the \`writes\` of ${q(worker.name)}, or drop it from \`task ${task.name}\``],
          }),
        );
      }
    }
  }
  return found;
}

/** T801 for a team's channels, stores and agents. */
function unusedTeamMembers(team: TeamModel, ctx: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  const unused = (what: string, name: string, why: 'no-consumer' | 'no-producer' | 'unreachable' | 'unused', file: string, span: Diagnostic['span'], help: string) =>
    found.push(createDiagnostic({ code: 'T801', args: { what, name, why }, at: { file, span }, help: [help] }));

  for (const channel of team.channels.values()) {
    if (channel.consumers.length === 0 && channel.producers.length === 0) {
      unused('channel', channel.name, 'unused', channel.file, channel.nameSpan, 'remove it, or connect it with `emits` and `takes`');
    } else if (channel.consumers.length === 0) {
      unused('channel', channel.name, 'no-consumer', channel.file, channel.nameSpan, `remove it, or make the agent meant to read it \`takes ${channel.name}\``);
    } else if (channel.producers.length === 0) {
      unused('channel', channel.name, 'no-producer', channel.file, channel.nameSpan, `remove it, or make the agent meant to fill it \`emits ${channel.name}\``);
    }
  }
  for (const store of team.stores.values()) {
    if (store.readers.length === 0 && store.writers.length === 0) {
      unused('store', store.name, 'unused', store.file, store.nameSpan, 'remove it, or connect it with `writes` and `reads`');
    } else if (store.readers.length === 0) {
      unused('store', store.name, 'no-consumer', store.file, store.nameSpan, `remove it, or make the agent meant to use it \`reads ${store.name}\``);
    } else if (store.writers.length === 0) {
      unused('store', store.name, 'no-producer', store.file, store.nameSpan, `remove it, or make the agent meant to fill it \`writes ${store.name}\``);
    }
  }
  const reachable = ctx.reachableAgents(team);
  for (const agent of team.agents.values()) {
    if (reachable.has(agent.name) || agent.roles.consensus.length > 0 || agent.roles.workerOf.length > 0) continue;
    unused('agent', agent.name, 'unreachable', agent.file, agent.nameSpan, `make it take a team input or a channel some reachable agent emits on, or remove it`);
  }
  return found;
}

/**
 * T801 for what files declare at their top level (models, tools, types) and for types declared
 * inside a team. A file with no team is a library: what it declares is for its importers, so
 * only files that declare a team are judged. Usage is counted over the whole program.
 */
export function checkUnusedShared(program: ProgramModel): Diagnostic[] {
  const usedModels = new Set<ModelModel>();
  const usedTools = new Set<ToolModel>();
  const usedTypes = new Set<TypeDeclarationModel>();
  const allTypes = new Set<TypeDeclarationModel>();
  const markType = typeMarker(usedTypes);

  for (const team of program.teams) {
    for (const declaration of team.types.values()) allTypes.add(declaration);
    for (const agent of team.agents.values()) {
      if (agent.model !== undefined) {
        const model = team.models.get(agent.model);
        if (model) usedModels.add(model);
      }
      for (const call of agent.calls) {
        const tool = team.tools.get(call.tool);
        if (tool) usedTools.add(tool);
      }
      markType(agent.output);
    }
    for (const input of team.inputs.values()) markType(input.type);
    for (const output of team.outputs.values()) markType(output.type);
    for (const store of team.stores.values()) markType(store.type);
    for (const channel of team.channels.values()) markType(channel.type);
    for (const consensus of team.consensus.values()) markType(consensus.output);
    for (const work of team.work.values()) markType(work.output);
  }
  // A tool's signature uses its types whether or not the tool is called (an unused tool is
  // reported itself; its parameter types need no second warning).
  for (const file of program.files.values()) {
    for (const tool of file.tools.values()) {
      for (const parameter of tool.parameters) markType(parameter.type);
      if (tool.returns) markType(tool.returns);
    }
    for (const declaration of file.types.values()) allTypes.add(declaration);
  }

  const found: Diagnostic[] = [];
  const judged = (file: string) => (program.files.get(file)?.teams.size ?? 0) > 0;
  const report = (what: string, name: string, file: string, span: Diagnostic['span']) =>
    found.push(createDiagnostic({ code: 'T801', args: { what, name, why: 'unused' }, at: { file, span }, help: [`remove the ${what}, or use it`] }));
  for (const file of program.files.values()) {
    if (!judged(file.path)) continue;
    for (const model of file.models.values()) if (!usedModels.has(model)) report('model', model.name, model.file, model.nameSpan);
    for (const tool of file.tools.values()) if (!usedTools.has(tool)) report('tool', tool.name, tool.file, tool.nameSpan);
  }
  for (const declaration of allTypes) {
    if (!usedTypes.has(declaration) && judged(declaration.file)) report('type', declaration.name, declaration.file, declaration.nameSpan);
  }
  return found;
}

/** Marks every named type reachable from a use, entering each declaration's body once. */
function typeMarker(used: Set<TypeDeclarationModel>): (type: Type) => void {
  return (root) => {
    const stack: Type[] = [root];
    while (stack.length > 0) {
      const type = stack.pop()!;
      switch (type.kind) {
        case 'named':
          if (!used.has(type.declaration)) {
            used.add(type.declaration);
            stack.push(type.declaration.type);
          }
          break;
        case 'record':
          for (const field of type.fields) stack.push(field.type);
          break;
        case 'array':
          stack.push(type.element);
          break;
        case 'optional':
          stack.push(type.inner);
          break;
        case 'union':
          stack.push(...type.members);
          break;
        default:
          break;
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// T802: secrets

export interface SecretMatch {
  start: number;
  end: number;
  /** `an OpenAI API key`, … */
  looksLike: string;
}

/** Well-known credential shapes, most specific first (the first match at a position wins). */
const knownShapes: Array<{ pattern: RegExp; looksLike: string }> = [
  { pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/g, looksLike: 'a private key' },
  { pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, looksLike: 'an Anthropic API key' },
  { pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, looksLike: 'an OpenAI API key' },
  { pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})/g, looksLike: 'a GitHub token' },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, looksLike: 'an AWS access key' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, looksLike: 'a Google API key' },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, looksLike: 'a Slack token' },
];

/** A long token of key-ish characters, judged by its entropy below. */
const longToken = /[A-Za-z0-9_\-+/=]{32,}/g;
/** A word that says a token next to it is a credential. */
const secretWord = /(?:key|token|secret|passw(?:or)?d|credential|bearer|auth)\W{0,3}$/i;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Credential-shaped substrings of a text. A generic high-entropy token counts when a word such
 * as `key` or `token` stands just before it, or when it is so random (≥ 4.5 bits a character,
 * more than hex can reach) that it is unlikely to be anything else; either way it must mix
 * letters and digits, so long words and paths pass.
 */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  const covered = (start: number, end: number) => found.some((m) => start < m.end && m.start < end);
  for (const { pattern, looksLike } of knownShapes) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (!covered(start, end)) found.push({ start, end, looksLike });
    }
  }
  for (const match of text.matchAll(longToken)) {
    const token = match[0];
    const start = match.index;
    const end = start + token.length;
    if (covered(start, end) || !/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) continue;
    const bits = entropy(token);
    const named = secretWord.test(text.slice(Math.max(0, start - 24), start));
    if ((named && bits >= 3.5) || bits >= 4.5) found.push({ start, end, looksLike: 'a secret token' });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** T802 over every loaded `.team` file (comments included: a key in a comment leaks too) and prompt file. */
export function checkSecrets(program: ProgramModel, ctx: RuleContext): Diagnostic[] {
  const found: Diagnostic[] = [];
  const texts = new Map<string, string>([...(ctx.options.sources ?? new Map<string, string>()), ...program.promptFiles]);
  for (const [file, text] of texts) {
    for (const secret of findSecrets(text)) {
      found.push(
        createDiagnostic({
          code: 'T802',
          args: { looksLike: secret.looksLike },
          at: { file, span: { start: secret.start, end: secret.end } },
          label: 'a credential in the source',
          notes: ['a `.team` file is committed, reviewed and sent to models; anything in it is public for good'],
          help: ['remove it and revoke it; keys come from the environment (`OPENAI_API_KEY`) when a team runs'],
        }),
      );
    }
  }
  return found;
}
