/**
 * AST → document (see `doc.ts`): the one canonical layout of a `.team` file.
 *
 * - Two spaces of indentation; one property or declaration per line in a multi-line block.
 * - One blank line between top-level declarations (imports stay together); inside a block, a
 *   blank line the author left is kept (runs of them become one), and a declaration that is
 *   always multi-line (team, model, agent, tool with a block, consensus, work) gets one on
 *   each side. No blank line after `{` or before `}`.
 * - The blocks of `store`, `channel` and `task`, and record types, are printed on one line —
 *   `{ ordering fifo  delivery exactly_once }`, members two spaces apart — when that line fits
 *   in 100 columns and the block holds no comment, no blank line, nothing multi-line and no
 *   two members that one line would merge (see `mayShareLine`); otherwise one member per
 *   line. Every other block is always multi-line.
 * - Empty optional blocks are dropped (`task docs {}` → `task docs`); required ones print `{}`.
 * - Single spaces between tokens; none inside `a..b`, before `,`, `:`, `?`, `[]`; record fields
 *   without commas; a record type declared without `=` (`type T { … }`).
 * - Literals are copied from the source: strings (prompts byte for byte) and numbers as written.
 * - Comments are copied too; a line comment loses the white space at its end.
 */
import type {
  Declaration,
  Member,
  Property,
  RecordField,
  RecordType,
  SourceFileNode,
  Span,
  StringLiteral,
  TypeExpression,
  Value,
  ImportDeclaration,
  FieldPath,
  Identifier,
} from '../syntax/ast.js';
import { isDeclaration } from '../syntax/ast.js';
import type { Comment } from '../syntax/parse.js';
import { attachComments, type Container, type ContainerMap } from './comments.js';
import { group, hardline, indent, join, line, trailing, verbatim, type Doc } from './doc.js';

/** Two spaces between members of a block printed on one line: there are no semicolons. */
const flatMemberSeparator = '  ';

interface Separation {
  /** Members may share a line (the container is printed as a group). */
  soft: boolean;
  /** A blank line is required between these two children, whatever the source had. */
  blankBetween(previous: { kind: string }, next: { kind: string }): boolean;
}

export class Printer {
  constructor(
    private readonly text: string,
    private readonly containers: ContainerMap,
  ) {}

  file(ast: SourceFileNode): Doc {
    const children: Array<ImportDeclaration | Declaration> = [...ast.imports, ...ast.declarations].sort((a, b) => a.span.start - b.span.start);
    const body = this.body(this.containers.file, children, (child) => this.topLevel(child), {
      soft: false,
      blankBetween: (previous, next) => !(previous.kind === 'Import' && next.kind === 'Import'),
    });
    return body.items;
  }

  private topLevel(child: ImportDeclaration | Declaration): Doc {
    return child.kind === 'Import' ? ['import ', this.string(child.path)] : this.declaration(child);
  }

  // -------------------------------------------------------------------------------------------
  // Containers

  /**
   * The inside of a container: its children with their comments, separated by line breaks
   * (soft ones, when the container may be flat) and the blank lines to keep.
   */
  private body<T extends { span: Span; kind: string }>(
    container: Container,
    children: readonly T[],
    print: (child: T) => Doc,
    separation: Separation,
  ): { opener: Doc[]; items: Doc[]; empty: boolean; soft: boolean } {
    const comments = this.containers.commentsIn(container);
    const attached = attachComments(this.text, container, children, comments);
    const soft = separation.soft && comments.length === 0 && children.every((child, i) => i === 0 || mayShareLine(children[i - 1]!, child));
    const items: Doc[] = [];
    const separate = (blank: boolean) => {
      if (items.length === 0) return;
      if (blank) items.push(hardline, hardline);
      else items.push(soft ? line(flatMemberSeparator) : hardline);
    };

    attached.children.forEach((child, index) => {
      const previous = index > 0 ? attached.children[index - 1]!.node : undefined;
      let forced = previous !== undefined && separation.blankBetween(previous, child.node);
      for (const leading of child.leading) {
        separate(forced || leading.blankBefore);
        forced = false;
        items.push(this.comment(leading.comment));
      }
      // Comments from inside the child go right before it, where its blank line goes too.
      let blank = forced || child.blankBefore;
      for (const inner of child.inner) {
        separate(blank);
        blank = false;
        items.push(this.comment(inner));
      }
      separate(blank);
      items.push(print(child.node), ...child.trailing.map((comment) => trailing(comment.text.trimEnd())));
    });
    for (const dangling of attached.dangling) {
      separate(dangling.blankBefore);
      items.push(this.comment(dangling.comment));
    }
    return {
      opener: attached.opener.map((comment) => trailing(comment.text.trimEnd())),
      items,
      empty: items.length === 0 && attached.opener.length === 0,
      soft,
    };
  }

  /** A comment as written; a line comment loses only the white space at its end. */
  private comment(comment: Comment): Doc {
    return comment.block ? verbatim(comment.text) : comment.text.trimEnd();
  }

  /**
   * `{ … }` around a container's body: a group that may stay on one line, or always broken —
   * always when the body holds a comment (one alone would fit on the line of the `{`, where the
   * next run would read it as the brace's own comment).
   */
  private braces(body: { opener: Doc[]; items: Doc[]; soft: boolean }, mayBeFlat: boolean): Doc {
    if (!mayBeFlat || !body.soft) return ['{', ...body.opener, indent([hardline, ...body.items]), hardline, '}'];
    return group(['{', ...body.opener, indent([line(' '), ...body.items]), line(' '), '}']);
  }

  /** A declaration's members, as a block: `undefined` when an optional block has nothing in it. */
  private block(declaration: Declaration & { members: Member[] }, mayBeFlat: boolean, required: boolean): Doc | undefined {
    const container = this.containers.blockOf(declaration);
    if (container === undefined && declaration.members.length === 0) return required ? '{}' : undefined;
    const body = this.body(container ?? { start: declaration.span.end, end: declaration.span.end, hasOpener: false }, declaration.members, (member) => this.member(member), {
      soft: mayBeFlat && !declaration.members.some(isDeclaration),
      blankBetween: (previous, next) => alwaysMultiline(previous) || alwaysMultiline(next),
    });
    if (body.empty) return required ? '{}' : undefined;
    return this.braces(body, mayBeFlat);
  }

  // -------------------------------------------------------------------------------------------
  // Declarations

  private declaration(declaration: Declaration): Doc {
    const name = declaration.name.name;
    const withBlock = (header: Doc, block: Doc | undefined): Doc => (block === undefined ? header : [header, ' ', block]);
    switch (declaration.kind) {
      case 'Team':
        return withBlock(`team ${name}`, this.block(declaration, false, true));
      case 'Model':
        return withBlock(`model ${name}`, this.block(declaration, false, true));
      case 'Agent':
        return withBlock(`agent ${name}`, this.block(declaration, false, true));
      case 'Consensus':
        return withBlock(`consensus ${name} over ${declaration.over.name}`, this.block(declaration, false, true));
      case 'Work':
        return withBlock(`work ${name} by ${declaration.by.name}`, this.block(declaration, false, true));
      case 'Task':
        return withBlock(`task ${name}`, this.block(declaration, true, false));
      case 'Store':
        return withBlock([`store ${name}: `, this.type(declaration.type)], this.block(declaration, true, false));
      case 'Channel':
        return withBlock([`channel ${name}: `, this.type(declaration.type)], this.block(declaration, true, false));
      case 'Type':
        return declaration.type.kind === 'RecordType'
          ? [`type ${name} `, this.record(declaration.type)]
          : [`type ${name} = `, this.type(declaration.type)];
      case 'Tool': {
        const parameters = join(', ', declaration.parameters.map((parameter) => this.field(parameter)));
        const returns = declaration.returns === undefined ? [] : [' -> ', this.type(declaration.returns)];
        return withBlock([`tool ${name}(`, ...parameters, ')', ...returns], this.block(declaration, false, false));
      }
    }
  }

  private member(member: Member): Doc {
    return isDeclaration(member) ? this.declaration(member) : this.property(member);
  }

  // -------------------------------------------------------------------------------------------
  // Properties: always one line

  private property(property: Property): Doc {
    switch (property.kind) {
      case 'Doc':
        return ['doc ', this.string(property.text)];
      case 'Input':
        return [`input ${property.name.name}: `, this.type(property.type)];
      case 'Output':
        return property.name === undefined
          ? ['output ', this.type(property.type)]
          : [`output ${property.name.name}: `, this.type(property.type), ...(property.from === undefined ? [] : [` from ${property.from.name}`])];
      case 'Value':
        return [`${property.key} `, this.value(property.value)];
      case 'Budget':
        return ['budget ', ...join(' ', property.limits.map((limit) => (limit.tokens ? [this.value(limit.value), ' tokens'] : this.value(limit.value))))];
      case 'Price':
        return [
          'price input ',
          this.value(property.input),
          ' output ',
          this.value(property.output),
          ...(property.per === undefined ? [] : [' per ', this.value(property.per)]),
        ];
      case 'ModelReference':
        return `model ${property.model.name}`;
      case 'Takes':
        return [
          'takes ',
          ...join(
            ', ',
            property.items.map((item) => [
              item.all ? 'all ' : '',
              item.source.name,
              item.optional ? '?' : '',
              ...(item.requires === undefined ? [] : [' requires ', this.value(item.requires)]),
            ]),
          ),
        ];
      case 'Reads':
        return [
          'reads ',
          ...join(
            ', ',
            property.items.map((item) => [item.store.name, ...(item.requires === undefined ? [] : [' requires ', this.value(item.requires)])]),
          ),
        ];
      case 'Writes':
        return ['writes ', ...join(', ', property.targets.map((target) => (target.kind === 'Identifier' ? target.name : this.string(target))))];
      case 'Emits':
        return [
          'emits ',
          ...join(
            ', ',
            property.items.map((item) =>
              item.condition === undefined
                ? item.channel.name
                : `${item.channel.name} ${item.condition.negated ? 'unless' : 'when'} ${fieldPath(item.condition.field)}`,
            ),
          ),
        ];
      case 'Calls':
        return `calls ${names(property.tools)}`;
      case 'Prompt':
        return property.source.kind === 'inline' ? ['prompt ', this.string(property.source.text)] : ['prompt file ', this.string(property.source.path)];
      case 'Retry': {
        const parts: Doc[] = ['retry ', this.value(property.attempts)];
        const backoff = property.backoff;
        if (backoff !== undefined) {
          parts.push(' backoff ', this.value(backoff.strategy));
          const delay = backoff.delay;
          if (delay !== undefined) {
            parts.push(' ', ...(delay.kind === 'Range' ? [this.value(delay.min), '..', this.value(delay.max)] : [this.value(delay)]));
          }
        }
        if (property.jitter) parts.push(' jitter');
        return parts;
      }
      case 'Breaker':
        return ['breaker ', this.value(property.failures), ' failures in ', this.value(property.window), ' cooldown ', this.value(property.cooldown)];
      case 'Hedge':
        return ['hedge after ', this.value(property.after)];
      case 'Fallback':
        return `fallback ${names(property.agents)}`;
      case 'Validate':
        return `validate with ${property.validator.name}`;
      case 'MaxRounds':
        return ['max rounds ', this.value(property.rounds)];
      case 'Flag':
        return property.flag;
      case 'Faults':
        return ['faults ', this.value(property.count), ' ', this.value(property.model)];
      case 'Agree':
        return [
          `agree on ${property.fields.map(fieldPath).join(', ')}`,
          ...(property.normalize === undefined ? [] : [' normalize ', this.value(property.normalize)]),
        ];
      case 'Assign':
        return ['assign ', this.value(property.policy), ...(property.lead === undefined ? [] : [` ${property.lead.name}`])];
      case 'After':
        return `after ${names(property.tasks)}`;
      case 'Key':
        return `key ${property.fields.map(fieldPath).join(', ')}`;
      case 'UnknownProperty':
        return [property.name.name, ...property.values.flatMap((value) => [' ', this.value(value)])];
    }
  }

  // -------------------------------------------------------------------------------------------
  // Types

  private type(type: TypeExpression, inPostfixOrUnion = false): Doc {
    switch (type.kind) {
      case 'TypeReference':
        return type.name.name;
      case 'LiteralType':
        return this.string(type.value);
      case 'RecordType':
        return this.record(type);
      case 'ArrayType':
        return [this.type(type.element, true), '[]'];
      case 'OptionalType':
        return [this.type(type.inner, true), '?'];
      case 'UnionType': {
        // The AST keeps no parentheses: a union inside a union, `[]` or `?` needs them back.
        const members = join(' | ', type.members.map((member) => this.type(member, true)));
        return inPostfixOrUnion ? ['(', ...members, ')'] : members;
      }
    }
  }

  private record(record: RecordType): Doc {
    const body = this.body(this.containers.recordOf(record), record.fields, (field) => this.field(field), {
      soft: true,
      blankBetween: () => false,
    });
    if (body.empty) return '{}';
    return this.braces(body, true);
  }

  private field(field: RecordField): Doc {
    return [field.name.name, field.optional ? '?' : '', ': ', this.type(field.type)];
  }

  // -------------------------------------------------------------------------------------------
  // Values

  private value(value: Value): Doc {
    switch (value.kind) {
      case 'Identifier':
        return value.name;
      case 'String':
        return this.string(value);
      default:
        return value.text;
    }
  }

  /** A string exactly as written: quotes, escapes, and a prompt's every byte. */
  private string(literal: StringLiteral): Doc {
    return verbatim(this.text.slice(literal.span.start, literal.span.end));
  }
}

/**
 * Whether `next` may follow `previous` on the same line without being read as part of it. The
 * parser lets a few properties take optional trailing values only from their own line (more
 * budget limits, a back-off delay, an `assign` lead, an unknown property's values), and an
 * unknown property starts with a plain word, which is a value: on one line, it would be absorbed.
 */
function mayShareLine(previous: { kind: string }, next: { kind: string }): boolean {
  if (next.kind !== 'UnknownProperty') return true;
  const member = previous as Member;
  switch (member.kind) {
    case 'Budget':
    case 'UnknownProperty':
      return false;
    case 'Retry':
      return member.backoff === undefined || member.backoff.delay !== undefined;
    case 'Assign':
      return member.lead !== undefined;
    default:
      return true;
  }
}

/** Declarations whose block is never printed on one line. */
function alwaysMultiline(node: { kind: string }): boolean {
  switch (node.kind) {
    case 'Team':
    case 'Model':
    case 'Agent':
    case 'Consensus':
    case 'Work':
      return true;
    case 'Tool':
      return (node as Declaration & { members: Member[] }).members.length > 0;
    default:
      return false;
  }
}

function names(identifiers: readonly Identifier[]): string {
  return identifiers.map((identifier) => identifier.name).join(', ');
}

function fieldPath(path: FieldPath): string {
  return path.segments.map((segment) => segment.name).join('.');
}
