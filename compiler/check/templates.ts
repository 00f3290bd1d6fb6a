/**
 * Prompt templates (T201, T202, T203, T206, T207).
 *
 * Each prompt is parsed with handlebars' own parser — what counts as a variable, a block or a
 * helper is exactly what handlebars will do at run time — and its syntax tree is walked with the
 * agent's variables and their types:
 * - a name at the top level must be a variable (T202): a `takes` item, a `reads` store, and for
 *   a worker `task`/`deps`, for a validator `output`, for a work lead `ready`/`idle` (and what a
 *   stand-in is given where it stands in: see stand-ins.ts, which also checks, with the uses of
 *   the variables this walk returns, that each place it stands in gives it what it names: T208);
 * - each further segment must be a field of the type so far (T203), `{{#each}}` needs a list
 *   (T203), and inside `{{#each xs}}` / `{{#with x}}` bare names are fields of the new context
 *   (handlebars does not fall back to outer names: `{{../x}}` or `{{@root.x}}` reach them);
 * - a list taken with `takes all` read as one message, or one message iterated as a list, is
 *   the take's shape misread (T201);
 * - a helper must be known (T206), and the template must parse (T206);
 * - a field read through a value that may be null must be guarded (T207): prompts render in
 *   handlebars' strict mode (runtime/prompt.ts), where `{{x}}` prints nothing for a null `x` but
 *   `{{x.y}}`, `{{#each x.y}}` or `{{json x.y}}` throw, and the activation fails. A value may be
 *   null when it is an optional take before its first message, an `lww` store before its first
 *   write, an optional field (`y?: T`), a `T?`, or an element of a list by index (`xs.[0]`).
 *   `{{#if x}}`, `{{#with x}}`, `{{#each x}}` (and the `{{else}}` of `{{#unless x}}`) guard `x`
 *   and every prefix of it for what they enclose; a guard is tied to the place the path names
 *   (a variable, a field of the current element, a block parameter), so `{{../x.y}}` and
 *   `{{@root.x.y}}` inside a guard of `x` are guarded too.
 *
 * Positions: handlebars reports line/column in the template's text; `TemplateInput.toSource` maps
 * them into the file (see prompt-positions.ts for inline prompts).
 */
import Handlebars from 'handlebars';
import { computeLineStarts } from '../source.js';
import type { Span } from '../syntax/ast.js';
import type { AgentModel, TeamModel, Type } from '../model.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { q, type Reporter } from './reporter.js';
import { arrayOf, boolType, elementOf, fieldOf, intType, optionalOf, present, recordOf, stringType, structure, typeToString, unknownType } from './types.js';

export const knownHelpers: readonly string[] = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'json', 'join'];
const knownHelperSet: ReadonlySet<string> = new Set(knownHelpers);

/** One name a prompt can use. `take` is set for a channel the agent takes (for T201). */
export interface TemplateVariable {
  type: Type;
  take?: { channel: string; all: boolean };
  /** Why the value may be null at run time, when it may (for T207): "null until …". */
  absent?: string;
}

export interface TemplateInput {
  agent: string;
  text: string;
  /** Where diagnostics go: the `.team` file for an inline prompt, the template file otherwise. */
  file: string;
  /** Maps an index into `text` to an offset in `file`. */
  toSource: (index: number) => number;
  variables: ReadonlyMap<string, TemplateVariable>;
  /** Notes for names a prompt may reach for but this agent does not have (`task` outside a work graph). */
  missingNotes?: ReadonlyMap<string, string>;
  /**
   * Set when some of the agent's takes or reads did not resolve (already reported): the prompt's
   * unknown names may be those, so they are not reported again.
   */
  incomplete?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Checking

/** The context a name is looked up in: the prompt's variables at the top, an element inside `#each`. */
interface Frame {
  /** Undefined for the top level (the variables). */
  type?: Type;
  /** How the block that opened this frame is written, for messages (`{{#each findings}}`). */
  opener?: string;
}

/**
 * A prompt variable the template names, where, and whether a missing value there would stop the
 * render: printed (`{{x}}`, a section `{{#x}}`) or read through (`x.y`, wherever it is), which
 * strict mode refuses, rather than tested or iterated in a helper (`{{#if x}}`, `{{#each x}}`),
 * which sees a missing value as absent. What a stand-in's prompt is checked with (stand-ins.ts).
 */
export interface VariableUse {
  name: string;
  /** How the path is written: `notes`, `notes.length`, `@root.notes`. */
  written: string;
  span: Span;
  fails: boolean;
}

interface Walk {
  input: TemplateInput;
  report: Reporter;
  uses: VariableUse[];
  lineStarts: number[];
  frames: Frame[];
  /** Block parameters in scope (`as |item index|`), innermost last. */
  params: Array<Map<string, Type>>;
  eachDepth: number;
  /** Places (`placeKey`) known not to be null here: the subjects of the enclosing guards. */
  guards: string[];
}

/** Checks a prompt (reporting T201–T203, T206, T207) and returns the uses of its variables, in order. */
export function checkTemplate(input: TemplateInput, report: Reporter): VariableUse[] {
  // Without `{{` there is nothing to check; most prompts have some, so this only saves a parse.
  if (!input.text.includes('{{')) return [];
  let program: hbs.AST.Program;
  try {
    // Handlebars' standalone-whitespace pass changes only content, never names or positions.
    program = Handlebars.parseWithoutProcessing(input.text);
  } catch (error) {
    reportParseError(input, error, report);
    return [];
  }
  const walk: Walk = { input, report, uses: [], lineStarts: computeLineStarts(input.text), frames: [{}], params: [], eachDepth: 0, guards: [] };
  statements(walk, program);
  return walk.uses;
}

function statements(walk: Walk, program: hbs.AST.Program | undefined): void {
  for (const statement of program?.body ?? []) visit(walk, statement);
}

function visit(walk: Walk, node: hbs.AST.Node): void {
  switch (node.type) {
    case 'MustacheStatement': {
      const mustache = node as hbs.AST.MustacheStatement;
      if (mustache.path.type !== 'PathExpression') return;
      const path = mustache.path as hbs.AST.PathExpression;
      const isCall = mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0;
      if (isCall) {
        helperName(walk, path);
        argumentsOf(walk, mustache.params, mustache.hash);
      } else if (!(isSimple(path) && knownHelperSet.has(path.parts[0]!) && !walk.input.variables.has(path.parts[0]!))) {
        resolvePath(walk, path, true);
      }
      return;
    }
    case 'BlockStatement':
      block(walk, node as hbs.AST.BlockStatement);
      return;
    case 'PartialStatement':
    case 'PartialBlockStatement':
      unsupported(walk, node, 'a partial (`{{> name}}`)');
      return;
    case 'DecoratorBlock':
    case 'Decorator':
      unsupported(walk, node, 'a decorator (`{{* name}}`)');
      return;
    default:
      return;
  }
}

function block(walk: Walk, node: hbs.AST.BlockStatement): void {
  const path = node.path;
  const name = isSimple(path) ? path.parts[0]! : undefined;
  const subject = node.params[0];
  const opener = `{{#${path.original}${subject?.type === 'PathExpression' ? ` ${(subject as hbs.AST.PathExpression).original}` : ''}}}`;

  // The place the subject names, before a new frame shifts what `../` means.
  const guard = subject?.type === 'PathExpression' ? placeOf(walk, subject as hbs.AST.PathExpression) : undefined;

  if (name === 'each' || name === 'with') {
    argumentsOf(walk, node.params.slice(1), node.hash);
    const subjectType = subject === undefined ? unknownType : expressionType(walk, subject);
    let inner: Type | undefined;
    const params = new Map<string, Type>();
    if (name === 'each') {
      inner = subjectType === undefined ? undefined : eachElement(walk, subject!, subjectType);
      const [item, index] = node.program?.blockParams ?? [];
      if (item !== undefined) params.set(item, inner ?? unknownType);
      if (index !== undefined) params.set(index, present(subjectType ?? unknownType).kind === 'record' ? stringType : intType);
    } else {
      inner = subjectType === undefined ? undefined : present(subjectType);
      const [item] = node.program?.blockParams ?? [];
      if (item !== undefined) params.set(item, inner ?? unknownType);
    }
    walk.frames.push({ type: inner ?? unknownType, opener });
    walk.params.push(params);
    if (name === 'each') walk.eachDepth++;
    // The body runs only for a present subject (a non-empty list, a truthy value).
    guarded(walk, guard, () => statements(walk, node.program));
    if (name === 'each') walk.eachDepth--;
    walk.params.pop();
    walk.frames.pop();
    statements(walk, node.inverse);
    return;
  }

  if (name !== undefined && knownHelperSet.has(name)) {
    argumentsOf(walk, node.params, node.hash);
    // `{{#if x}}` shows its body, and `{{#unless x}}` its `{{else}}`, only when `x` is truthy.
    guarded(walk, name === 'if' ? guard : undefined, () => statements(walk, node.program));
    guarded(walk, name === 'unless' ? guard : undefined, () => statements(walk, node.inverse));
    return;
  }

  if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) {
    helperName(walk, path);
    argumentsOf(walk, node.params, node.hash);
    statements(walk, node.program);
    statements(walk, node.inverse);
    return;
  }

  // `{{#name}}…{{/name}}` with no arguments is a section: it iterates a list, enters a record,
  // or shows its body when the value is truthy. Its lookup is strict, like a mustache's.
  const type = resolvePath(walk, path, true);
  const section = placeOf(walk, path);
  const shape = type === undefined ? undefined : present(type);
  const inner = shape === undefined ? undefined : shape.kind === 'array' ? shape.element : shape.kind === 'record' ? shape : undefined;
  if (inner !== undefined) {
    walk.frames.push({ type: inner, opener: `{{#${path.original}}}` });
    walk.params.push(new Map());
    guarded(walk, section, () => statements(walk, node.program));
    walk.params.pop();
    walk.frames.pop();
  } else {
    guarded(walk, section, () => statements(walk, node.program));
  }
  statements(walk, node.inverse);
}

// ---------------------------------------------------------------------------------------------
// Places and guards (T207)

/**
 * Where the value a path names lives, as a list whose first item is the scope: `root` for the
 * prompt's variables, `f<k>` for the element of the k-th frame, `p<i>` for the i-th set of block
 * parameters; the rest are the path's parts. Two paths with the same place name the same value,
 * however they are written (`x.y`, `@root.x.y`, `../x.y`). Undefined for data variables.
 */
function placeOf(walk: Walk, path: hbs.AST.PathExpression): string[] | undefined {
  if (path.data) return path.parts[0] === 'root' ? ['root', ...path.parts.slice(1)] : undefined;
  if (!/^(this\b|\.)/.test(path.original) && path.depth === 0 && path.parts.length > 0) {
    for (let i = walk.params.length - 1; i >= 0; i--) {
      if (walk.params[i]!.has(path.parts[0]!)) return [`p${i}`, ...path.parts];
    }
  }
  const frameIndex = walk.frames.length - 1 - path.depth;
  if (frameIndex < 0) return undefined;
  return [frameIndex === 0 ? 'root' : `f${frameIndex}`, ...path.parts];
}

const placeKey = (place: readonly string[]): string => place.join('\u0000');

/** Runs `body` with `place` and each of its prefixes known present (a truthy `x.y` has a present `x`). */
function guarded(walk: Walk, place: readonly string[] | undefined, body: () => void): void {
  const before = walk.guards.length;
  if (place !== undefined) for (let n = 1; n <= place.length; n++) walk.guards.push(placeKey(place.slice(0, n)));
  body();
  walk.guards.length = before;
}

function isGuarded(walk: Walk, place: readonly string[]): boolean {
  return walk.guards.includes(placeKey(place));
}

/** `T?` → `T`, keeping the name (`Review`, not its fields), for messages. */
function withoutOptional(type: Type): Type {
  let current = type;
  while (current.kind === 'optional') current = current.inner;
  return current;
}

/** Whether a value of the type may be null or absent at run time: `T?`, through names and unions. */
function mayBeAbsent(type: Type): boolean {
  const shape = structure(type);
  if (shape.kind === 'optional') return true;
  return shape.kind === 'union' && shape.members.some(mayBeAbsent);
}

/** The element type `{{#each}}` iterates, or undefined after reporting a non-list. */
function eachElement(walk: Walk, subject: hbs.AST.Expression, type: Type): Type | undefined {
  const element = elementOf(type);
  if (element !== undefined) return element;
  const shape = present(type);
  if (shape.kind === 'unknown') return unknownType;
  const path = subject.type === 'PathExpression' ? (subject as hbs.AST.PathExpression) : undefined;
  const span = spanOf(walk, subject.loc);
  const variable = path !== undefined && path.parts.length === 1 && !path.data && isTopLevel(walk, path) ? walk.input.variables.get(path.parts[0]!) : undefined;
  if (variable?.take !== undefined && !variable.take.all) {
    const channel = variable.take.channel;
    walk.report({
      code: 'T201',
      args: {
        message: `\`{{#each ${path!.original}}}\` iterates over one message: \`takes ${channel}\` gives the prompt one ${q(typeToString(type))} at a time, not a list`,
      },
      at: { file: walk.input.file, span },
      label: 'one message, not a list',
      help: [`take every message at once with \`takes all ${channel}\`, or use the message's fields directly`],
    });
    return undefined;
  }
  walk.report({
    code: 'T203',
    args: { message: `\`{{#each}}\` needs a list, but ${q(path?.original ?? 'this value')} is ${q(typeToString(type))}` },
    at: { file: walk.input.file, span },
    label: 'not a list',
  });
  return undefined;
}

function argumentsOf(walk: Walk, params: readonly hbs.AST.Expression[], hash: hbs.AST.Hash | undefined): void {
  for (const param of params) expressionType(walk, param);
  for (const pair of hash?.pairs ?? []) expressionType(walk, pair.value);
}

/** The type of a parameter: a path is resolved, a sub-expression checked (its result is unknown). */
function expressionType(walk: Walk, expression: hbs.AST.Expression): Type | undefined {
  switch (expression.type) {
    case 'PathExpression':
      return resolvePath(walk, expression as hbs.AST.PathExpression);
    case 'SubExpression': {
      const call = expression as hbs.AST.SubExpression;
      if (call.path.type === 'PathExpression') helperName(walk, call.path as hbs.AST.PathExpression);
      argumentsOf(walk, call.params, call.hash);
      return unknownType;
    }
    case 'StringLiteral':
      return stringType;
    case 'NumberLiteral':
      return { kind: 'number' };
    case 'BooleanLiteral':
      return boolType;
    default:
      return unknownType;
  }
}

/** A path in helper position must name a known helper (T206). */
function helperName(walk: Walk, path: hbs.AST.PathExpression): void {
  if (isSimple(path) && knownHelperSet.has(path.parts[0]!)) return;
  const suggestion = didYouMean(path.original, knownHelpers);
  walk.report({
    code: 'T206',
    args: { message: `unknown helper ${q(path.original)} in the prompt of ${q(walk.input.agent)}` },
    at: { file: walk.input.file, span: spanOf(walk, path.loc) },
    label: 'not a helper',
    notes: [`the helpers are ${knownHelpers.map(q).join(', ')}`],
    help: suggestion === undefined ? [] : [`did you mean ${q(suggestion)}?`],
  });
}

function unsupported(walk: Walk, node: hbs.AST.Node, what: string): void {
  walk.report({
    code: 'T206',
    args: { message: `the prompt of ${q(walk.input.agent)} uses ${what}, which prompts do not support` },
    at: { file: walk.input.file, span: spanOf(walk, node.loc) },
    label: 'not supported',
    notes: ['a prompt is one template: put the text inline, or in the prompt file'],
  });
}

const dataTypes: ReadonlyMap<string, Type> = new Map([
  ['index', intType],
  ['key', stringType],
  ['first', boolType],
  ['last', boolType],
]);

/**
 * One path being followed: where the value it starts from lives and why that value may be null
 * (for T207), and whether the path is printed — a mustache or a section looks its last part up
 * strictly, so that part must exist — or passed to a helper, which looks it up leniently.
 */
interface Reading {
  path: hbs.AST.PathExpression;
  /** The span of each of `path.parts`. */
  segments: readonly Span[];
  /** How many of `path.parts` name the starting value (0: the current element itself). */
  consumed: number;
  /** The place of the starting value (see `placeOf`). */
  place: readonly string[];
  /** Why the starting value may be null, when it is a variable that may be. */
  absent?: string;
  strict: boolean;
}

/**
 * The type of a path, or undefined after reporting it. The head is a block parameter, a variable
 * (at the top level, or through `../` / `@root`) or a field of the current context. `strict`: the
 * path is printed (a mustache, a section), not passed to a helper.
 */
function resolvePath(walk: Walk, path: hbs.AST.PathExpression, strict = false): Type | undefined {
  const segments = segmentSpans(walk, path);
  const reading = (consumed: number, place: readonly string[]): Reading => ({ path, segments, consumed, place, strict });
  if (path.data) {
    const [head, ...rest] = path.parts;
    if (head === 'root') {
      if (rest.length === 0) return unknownType;
      return variableThenFields(walk, reading(2, ['root', rest[0]!]), rest, segments.slice(1));
    }
    const type = head === undefined ? undefined : dataTypes.get(head);
    if (type !== undefined && walk.eachDepth > 0) return type;
    walk.report({
      code: 'T202',
      args: { agent: walk.input.agent, variable: path.original },
      at: { file: walk.input.file, span: spanOf(walk, path.loc) },
      label: type === undefined ? 'not a data variable' : 'only defined inside `{{#each}}`',
      notes: ['inside `{{#each}}`, the data variables are `@index`, `@key`, `@first` and `@last`; `@root` is the top level'],
    });
    return undefined;
  }

  const scoped = /^(this\b|\.)/.test(path.original);
  if (!scoped && path.depth === 0 && path.parts.length > 0) {
    for (let i = walk.params.length - 1; i >= 0; i--) {
      const param = walk.params[i]!.get(path.parts[0]!);
      if (param !== undefined) return fields(walk, reading(1, [`p${i}`, path.parts[0]!]), param, path.parts[0]!, path.parts.slice(1), segments.slice(1));
    }
  }

  const frameIndex = walk.frames.length - 1 - path.depth;
  if (frameIndex < 0) {
    walk.report({
      code: 'T202',
      args: { agent: walk.input.agent, variable: path.original },
      at: { file: walk.input.file, span: spanOf(walk, path.loc) },
      label: '`../` goes above the top of the prompt',
    });
    return undefined;
  }
  const frame = walk.frames[frameIndex]!;
  if (frame.type === undefined) {
    if (path.parts.length === 0) return unknownType;
    return variableThenFields(walk, reading(1, ['root', path.parts[0]!]), path.parts, segments);
  }
  if (path.parts.length === 0) return frame.type;
  return fields(walk, reading(0, [`f${frameIndex}`]), frame.type, 'this', path.parts, segments, frame);
}

/** `name.field…` where `name` must be one of the prompt's variables. */
function variableThenFields(walk: Walk, reading: Reading, parts: readonly string[], segments: readonly Span[]): Type | undefined {
  const path = reading.path;
  const [name, ...rest] = parts;
  const variable = walk.input.variables.get(name!);
  if (variable === undefined && walk.input.incomplete) return unknownType;
  if (variable === undefined) {
    const suggestion = didYouMean(name!, walk.input.variables.keys());
    const note = walk.input.missingNotes?.get(name!);
    walk.report({
      code: 'T202',
      args: { agent: walk.input.agent, variable: name! },
      at: { file: walk.input.file, span: segments[0] ?? spanOf(walk, path.loc) },
      label: 'not an input of this agent',
      notes: [
        ...(note === undefined ? [] : [note]),
        walk.input.variables.size === 0
          ? 'this agent has no inputs: it takes and reads nothing'
          : `the prompt's variables are ${[...walk.input.variables.keys()].map(q).join(', ')}`,
      ],
      help: suggestion === undefined ? [] : [`did you mean ${q(suggestion)}?`],
    });
    return undefined;
  }
  if (variable.take?.all && rest.length > 0 && rest[0] !== 'length' && !/^\d+$/.test(rest[0]!)) {
    walk.report({
      code: 'T201',
      args: {
        message: `${q(name!)} is the list of every message on ${q(variable.take.channel)} (\`takes all\`), so ${q(`${name}.${rest[0]}`)} reads a field of a list`,
      },
      at: { file: walk.input.file, span: segments[1] ?? spanOf(walk, path.loc) },
      label: `a field of one message, read on ${q(typeToString(variable.type))}`,
      help: [`iterate over the messages with \`{{#each ${name}}}…{{${rest[0]}}}…{{/each}}\`, or take one message at a time with \`takes ${variable.take.channel}\``],
    });
    return undefined;
  }
  walk.uses.push({ name: name!, written: path.original, span: segments[0] ?? spanOf(walk, path.loc), fails: reading.strict || rest.length > 0 });
  const withWhy = variable.absent === undefined ? reading : { ...reading, absent: variable.absent };
  return fields(walk, withWhy, variable.type, name!, rest, segments.slice(1));
}

/**
 * Follows `parts` as fields from `type`; `written` is what the path says so far (for messages).
 * Each step reads through the value so far, which must not be null unless a guard says so (T207).
 */
function fields(
  walk: Walk,
  reading: Reading,
  type: Type,
  written: string,
  parts: readonly string[],
  segments: readonly Span[],
  frame?: Frame,
): Type | undefined {
  const path = reading.path;
  let current = type;
  let soFar = written;
  // Why `current` may be null, when it may: the variable's reason, else its type's.
  let absent = reading.absent ?? (mayBeAbsent(type) ? `may be null (its type is ${q(typeToString(type))})` : undefined);
  let reported = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const span = segments[i] ?? spanOf(walk, path.loc);
    const here = [...reading.place, ...parts.slice(0, i)];
    if (!reported && absent !== undefined && mayBeAbsent(current) && !isGuarded(walk, here)) {
      reportAbsent(walk, reading, reading.consumed + i, `reads through ${q(writtenPrefix(walk, path, reading.consumed + i))}, which ${absent}`, 'may be null here', 'reading a field through null');
      reported = true;
    }
    const last = i === parts.length - 1;
    const shape = present(current);
    if (shape.kind === 'unknown') return unknownType;
    if (shape.kind === 'array' || shape.kind === 'string') {
      if (part === 'length' && shape.kind === 'array') {
        current = intType;
        absent = undefined;
      } else if (part === 'length' && !(reading.strict && last)) {
        // A helper's argument is looked up leniently: `{{#if diff.length}}` reads a string's length.
        current = intType;
        absent = undefined;
      } else if (shape.kind === 'array' && /^\d+$/.test(part)) {
        const count = Number(part) + 1;
        const shorter = `is absent when ${q(writtenPrefix(walk, path, reading.consumed + i))} has ${count === 1 ? 'no elements' : `fewer than ${count} elements`}`;
        // Printed, a missing element is a missing key, which strict mode refuses.
        if (!reported && reading.strict && last && !isGuarded(walk, [...here, part])) {
          reportAbsent(walk, reading, reading.consumed + i + 1, `prints an element that ${shorter}`, 'may not exist', 'printing an element that does not exist');
          reported = true;
        }
        current = optionalOf(shape.element);
        absent = shorter;
      } else {
        walk.report({
          code: 'T203',
          args: {
            message:
              shape.kind === 'array'
                ? `${q(soFar)} is a list (${q(typeToString(current))}), so it has no field ${q(part)}`
                : part === 'length'
                  ? `${q(soFar)} is a \`string\`: a prompt cannot print its \`length\` (printed paths are looked up strictly, and a string has no fields)`
                  : `${q(soFar)} is a \`string\`, so it has no field ${q(part)}`,
          },
          at: { file: walk.input.file, span },
          label: 'no such field',
          ...(shape.kind === 'array' ? { help: [`iterate over it with \`{{#each ${soFar === 'this' ? 'this' : soFar}}}…{{${part}}}…{{/each}}\``] } : {}),
        });
        return undefined;
      }
    } else {
      const found = fieldOf(current, part);
      if (found.kind !== 'found') {
        const inContext = i === 0 && frame !== undefined;
        const isVariable = inContext && walk.input.variables.has(part);
        const suggestion = found.kind === 'missing' ? didYouMean(part, found.candidates) : undefined;
        const help: string[] = [];
        if (suggestion !== undefined) help.push(`did you mean ${q(suggestion)}?`);
        if (isVariable) help.push(`inside \`${frame.opener}\`, names are fields of the current element; write \`{{@root.${part}}}\` for the prompt's ${q(part)}`);
        walk.report({
          code: 'T203',
          args: {
            message:
              found.kind === 'missing'
                ? `${q(part)} is not a field of ${q(typeToString(current))}${inContext ? ` (the context inside \`${frame.opener}\`)` : ''}`
                : `${q(soFar)} is ${q(typeToString(current))}, which has no fields`,
          },
          at: { file: walk.input.file, span },
          label: found.kind === 'missing' ? 'unknown field' : 'no such field',
          notes: found.kind === 'missing' && found.candidates.length > 0 ? [`${q(typeToString(current))} has ${found.candidates.map(q).join(', ')}`] : [],
          help,
        });
        return undefined;
      }
      absent = found.optional
        ? `is absent when not given (${q(`${part}?`)} is an optional field of ${q(typeToString(withoutOptional(current)))})`
        : mayBeAbsent(found.type)
          ? `may be null (its type is ${q(typeToString(found.type))})`
          : undefined;
      current = found.optional ? { kind: 'optional', inner: found.type } : found.type;
    }
    soFar = soFar === 'this' ? part : `${soFar}.${part}`;
  }
  return current;
}

/**
 * T207 at the segment that may be null (`count` parts of the path name it; 0: the current
 * element), with the guard that makes the read safe.
 */
function reportAbsent(walk: Walk, reading: Reading, count: number, what: string, label: string, failure: string): void {
  const { path } = reading;
  const guard = writtenPrefix(walk, path, count);
  walk.report({
    code: 'T207',
    args: { message: `${q(writtenPrefix(walk, path, path.parts.length))} ${what}` },
    at: { file: walk.input.file, span: (count > 0 ? reading.segments[count - 1] : undefined) ?? spanOf(walk, path.loc) },
    label,
    notes: [`prompts render in strict mode: ${failure} stops the render, and the activation fails before the model is called`],
    help: [`wrap it in \`{{#if ${guard}}}…{{/if}}\``],
  });
}

function isSimple(path: hbs.AST.PathExpression): boolean {
  return !path.data && path.depth === 0 && path.parts.length === 1 && !/^(this\b|\.)/.test(path.original);
}

/** Whether `path` looks its head up among the variables (top level, no `../` needed). */
function isTopLevel(walk: Walk, path: hbs.AST.PathExpression): boolean {
  return walk.frames.length - 1 - path.depth === 0;
}

// ---------------------------------------------------------------------------------------------
// Positions

function indexOf(walk: { lineStarts: number[]; input: TemplateInput }, position: { line: number; column: number }): number {
  const lineStart = walk.lineStarts[Math.max(0, Math.min(position.line - 1, walk.lineStarts.length - 1))]!;
  return Math.min(walk.input.text.length, lineStart + Math.max(0, position.column));
}

function spanOf(walk: { lineStarts: number[]; input: TemplateInput }, loc: hbs.AST.SourceLocation | undefined): Span {
  if (loc === undefined) return { start: walk.input.toSource(0), end: walk.input.toSource(0) };
  const start = indexOf(walk, loc.start);
  const end = Math.max(start, indexOf(walk, loc.end));
  return { start: walk.input.toSource(start), end: walk.input.toSource(end - 1) + 1 };
}

/** The path as written up to and including its `count`-th part (`this` for none): `reviews`, `../x`, `xs.[0]`. */
function writtenPrefix(walk: Walk, path: hbs.AST.PathExpression, count: number): string {
  if (count === 0) return 'this';
  if (path.loc === undefined) return path.original;
  const text = walk.input.text.slice(indexOf(walk, path.loc.start), indexOf(walk, path.loc.end));
  let from = path.data ? 1 : 0;
  for (const part of path.parts.slice(0, count)) {
    const at = text.indexOf(part, from);
    if (at < 0) return path.original;
    from = at + part.length;
  }
  return text.slice(0, text[from] === ']' ? from + 1 : from);
}

/** The span of each of a path's parts, found in the text the path covers (in order). */
function segmentSpans(walk: Walk, path: hbs.AST.PathExpression): Span[] {
  if (path.loc === undefined) return [];
  const start = indexOf(walk, path.loc.start);
  const end = indexOf(walk, path.loc.end);
  const text = walk.input.text.slice(start, end);
  const spans: Span[] = [];
  let from = path.data ? 1 : 0;
  for (const part of path.parts) {
    const at = text.indexOf(part, from);
    if (at < 0) break;
    spans.push({ start: walk.input.toSource(start + at), end: walk.input.toSource(start + at + part.length - 1) + 1 });
    from = at + part.length;
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Parse errors

const tokenNames: Record<string, string> = {
  EOF: 'the end of the prompt',
  OPEN: '`{{`',
  CLOSE: '`}}`',
  OPEN_UNESCAPED: '`{{{`',
  CLOSE_UNESCAPED: '`}}}`',
  OPEN_RAW_BLOCK: '`{{{{`',
  CLOSE_RAW_BLOCK: '`}}}}`',
  END_RAW_BLOCK: '`{{{{/…}}}}`',
  OPEN_BLOCK: '`{{#…`',
  OPEN_ENDBLOCK: '`{{/…}}`',
  OPEN_INVERSE: '`{{^…`',
  OPEN_INVERSE_CHAIN: '`{{else …}}`',
  INVERSE: '`{{else}}`',
  OPEN_PARTIAL: '`{{>`',
  OPEN_SEXPR: '`(`',
  CLOSE_SEXPR: '`)`',
  OPEN_BLOCK_PARAMS: '`as |`',
  CLOSE_BLOCK_PARAMS: '`|`',
  EQUALS: '`=`',
  SEP: '`.`',
  ID: 'a name',
  STRING: 'a string',
  NUMBER: 'a number',
  BOOLEAN: '`true` or `false`',
  DATA: 'an `@` variable',
  UNDEFINED: '`undefined`',
  NULL: '`null`',
  CONTENT: 'text',
  COMMENT: 'a comment',
  INVALID: 'something handlebars cannot read',
};

/** Handlebars' "Expecting 'A', 'B', got 'C'" in words. */
export function describeParseError(message: string): string {
  const match = /Expecting (.+), got '([A-Z_]+)'/.exec(message);
  if (match === null) {
    const first = message.split('\n')[0]!.replace(/ - \d+:\d+$/, '');
    const mismatch = /^(.+) doesn't match (.+)$/.exec(first);
    return mismatch === null ? first : `\`{{#${mismatch[1]}}}\` is closed by \`{{/${mismatch[2]}}}\``;
  }
  let tokens = [...match[1]!.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
  // Jison lists every token that could come next; past a few, name only the one that closes
  // what is open (the mustache, or the block), which is what a reader is missing.
  if (tokens.length > 4) tokens = tokens.includes('CLOSE') ? ['CLOSE'] : tokens.includes('OPEN_ENDBLOCK') ? ['OPEN_ENDBLOCK'] : tokens.slice(0, 4);
  const expected = [...new Set(tokens.map((token) => tokenNames[token] ?? token))];
  const found = tokenNames[match[2]!] ?? match[2]!;
  const listed = expected.length <= 1 ? expected.join('') : `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
  return `expected ${listed}, found ${found}`;
}

function reportParseError(input: TemplateInput, error: unknown, report: Reporter): void {
  const message = error instanceof Error ? error.message : String(error);
  const walk = { lineStarts: computeLineStarts(input.text), input };
  const described = describeParseError(message);
  const hbsError = error as { lineNumber?: number; column?: number; endLineNumber?: number; endColumn?: number };
  let span: Span;
  if (typeof hbsError.lineNumber === 'number' && typeof hbsError.column === 'number') {
    // A handlebars exception (a block closed by the wrong name) carries the opening block's location.
    const start = indexOf(walk, { line: hbsError.lineNumber, column: hbsError.column });
    const end =
      typeof hbsError.endLineNumber === 'number' && typeof hbsError.endColumn === 'number'
        ? Math.max(start + 1, indexOf(walk, { line: hbsError.endLineNumber, column: hbsError.endColumn }))
        : start + 1;
    span = { start: input.toSource(start), end: input.toSource(end - 1) + 1 };
  } else {
    // A jison parse error: handlebars' lexer still holds the location of the offending token.
    const location = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number; last_line: number; last_column: number } } } }).Parser?.lexer?.yylloc;
    if (location !== undefined) {
      const start = indexOf(walk, { line: location.first_line, column: location.first_column });
      const end = Math.max(start, indexOf(walk, { line: location.last_line, column: location.last_column }));
      span = end > start ? { start: input.toSource(start), end: input.toSource(end - 1) + 1 } : { start: input.toSource(start), end: input.toSource(start) };
    } else {
      span = { start: input.toSource(0), end: input.toSource(0) };
    }
  }
  report({
    code: 'T206',
    args: { message: `the prompt of ${q(input.agent)} does not parse: ${described}` },
    at: { file: input.file, span },
    label: 'handlebars stops here',
  });
}

// ---------------------------------------------------------------------------------------------
// The variables of an agent's prompt

const taskType: Type = recordOf([
  { name: 'name', type: stringType, optional: false },
  { name: 'doc', type: stringType, optional: true },
  { name: 'writes', type: arrayOf(stringType), optional: false },
]);

const readyTaskType: Type = recordOf([
  { name: 'name', type: stringType, optional: false },
  { name: 'doc', type: stringType, optional: true },
  { name: 'weight', type: { kind: 'number' }, optional: false },
  { name: 'writes', type: arrayOf(stringType), optional: false },
  { name: 'after', type: arrayOf(stringType), optional: false },
]);

export const roleVariableNotes: ReadonlyMap<string, string> = new Map([
  ['task', '`task` and `deps` are given to the worker of a work graph (`work … by agent`), and to its fallbacks and validator'],
  ['deps', '`task` and `deps` are given to the worker of a work graph (`work … by agent`), and to its fallbacks and validator'],
  ['output', '`output` is given to a validator (`validate with agent`): the output it judges'],
  ['ready', '`ready` and `idle` are given to the lead of a work graph (`assign lead agent`), and to its fallbacks and validator'],
  ['idle', '`ready` and `idle` are given to the lead of a work graph (`assign lead agent`), and to its fallbacks and validator'],
]);

/**
 * What an agent's prompt can name: its takes (a team input's value; a channel's message, the list
 * for `takes all`, possibly absent for `takes ch?`), the stores it reads, and what its roles add.
 * A stand-in is rendered with the variables of what it serves, not with these: stand-ins.ts
 * checks its prompt against each of those too (T208).
 */
export function variablesOf(agent: AgentModel, team: TeamModel): Map<string, TemplateVariable> {
  const variables = new Map([...takeVariables(agent), ...readVariables(agent, team)]);
  // A worker, or an agent standing in for one, renders once per task.
  const workerOutputs = [agent, ...agent.roles.fallbackFor.map((name) => team.agents.get(name))]
    .filter((a): a is AgentModel => a !== undefined && a.roles.workerOf.length > 0)
    .map((a) => a.output);
  if (workerOutputs.length > 0) addTaskVariables(variables, workerOutputs.length === 1 ? workerOutputs[0]! : unknownType);
  if (agent.roles.validatorFor.length > 0) {
    const judged = agent.roles.validatorFor.map((name) => team.agents.get(name)?.output ?? unknownType);
    variables.set('output', { type: judged.length === 1 ? judged[0]! : unknownType });
  }
  if (agent.roles.leadOf.length > 0) addLeadVariables(variables);
  return variables;
}

/** The activation's values of what the agent takes, by the name of each take (runtime/team.ts `variables`). */
export function takeVariables(agent: AgentModel): Map<string, TemplateVariable> {
  const variables = new Map<string, TemplateVariable>();
  for (const take of agent.takes) {
    if (take.from === 'input') {
      variables.set(take.source, { type: take.variableType });
      continue;
    }
    const variable: TemplateVariable = { type: take.variableType, take: { channel: take.source, all: take.all } };
    // The runtime renders `takes ch?` as null until a first message on `ch` (runtime/team.ts).
    if (take.optional && !take.all) variable.absent = `is null until the first message on ${q(take.source)} arrives (\`takes ${take.source}?\`)`;
    variables.set(take.source, variable);
  }
  return variables;
}

/** The stores the agent reads, read before each render (runtime/agent.ts `readStores`). */
export function readVariables(agent: AgentModel, team: TeamModel): Map<string, TemplateVariable> {
  const variables = new Map<string, TemplateVariable>();
  for (const read of agent.reads) {
    const store = team.stores.get(read.store);
    if (store === undefined) continue;
    // An `append` or `union` store starts as an empty list; any other (`lww`, the default) reads
    // as null until its first write (runtime/stores/value.ts).
    const list = store.merge === 'append' || store.merge === 'union';
    variables.set(read.store, list ? { type: store.type } : { type: optionalOf(store.type), absent: `is null until something writes the store ${q(read.store)}` });
  }
  return variables;
}

/** A work graph's worker renders once per task, with `task` and the outputs of its dependencies. */
export function addTaskVariables(variables: Map<string, TemplateVariable>, workerOutput: Type): void {
  variables.set('task', { type: taskType });
  variables.set('deps', { type: arrayOf(recordOf([{ name: 'task', type: stringType, optional: false }, { name: 'output', type: workerOutput, optional: false }])) });
}

/** A work lead is asked with the ready tasks and the idle workers. */
export function addLeadVariables(variables: Map<string, TemplateVariable>): void {
  variables.set('ready', { type: arrayOf(readyTaskType) });
  variables.set('idle', { type: arrayOf(intType) });
}
