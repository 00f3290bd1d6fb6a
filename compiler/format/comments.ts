/**
 * Where each comment goes when a file is reprinted. The AST has no comments, so they are placed
 * by their spans:
 *
 * - every comment belongs to the innermost *container* around it: the file, a declaration's
 *   `{ … }` block, or a record type's `{ … }`;
 * - inside its container, a comment on the same line as the end of a child (a member, a field,
 *   a declaration) trails that child; one on the line of the opening `{` stays after the `{`;
 *   any other comment leads the next child, or, after the last child, stays before the `}`;
 * - a comment inside a child but outside any container of its own (`takes a, /* b *\/ c`) is
 *   moved to just before that child: a property is always printed on one line.
 *
 * Blank lines between children and comments are recorded so the printer can keep them.
 */
import type { IToken } from 'chevrotain';
import type { Declaration, Member, RecordType, SourceFileNode, Span, TypeExpression } from '../syntax/ast.js';
import type { Comment } from '../syntax/parse.js';

/** The inside of a container: after its `{` and before its `}` (the whole text for the file). */
export interface Container {
  start: number;
  end: number;
  /** Comments may stay on the line of the opening `{`. */
  hasOpener: boolean;
}

export interface PlacedComment {
  comment: Comment;
  blankBefore: boolean;
}

export interface AttachedChild<T> {
  node: T;
  leading: PlacedComment[];
  /** Comments from inside the child, printed just before it. */
  inner: Comment[];
  trailing: Comment[];
  blankBefore: boolean;
}

export interface Attached<T> {
  opener: Comment[];
  children: Array<AttachedChild<T>>;
  dangling: PlacedComment[];
}

const lineBreak = /\r\n|\r|\n/g;

function lineBreaks(text: string, from: number, to: number): number {
  return from >= to ? 0 : (text.slice(from, to).match(lineBreak)?.length ?? 0);
}

/**
 * The containers of a file: its blocks (keyed by their declaration) and records (keyed by the
 * record type), found from the AST's spans and the tokens for the braces the AST does not keep.
 */
export class ContainerMap {
  readonly file: Container;
  private readonly containers = new Map<object, Container>();
  private readonly comments = new Map<Container, Comment[]>();
  private readonly tokenStarts: number[];

  constructor(
    private readonly text: string,
    ast: SourceFileNode,
    private readonly tokens: readonly IToken[],
    comments: readonly Comment[],
  ) {
    this.tokenStarts = tokens.map((token) => token.startOffset);
    this.file = { start: 0, end: text.length, hasOpener: false };
    for (const declaration of ast.declarations) this.visitDeclaration(declaration);
    this.assign(comments);
  }

  /** A declaration's block, if it was written with one. */
  blockOf(declaration: Declaration): Container | undefined {
    return this.containers.get(declaration);
  }

  recordOf(record: RecordType): Container {
    const container = this.containers.get(record);
    if (container === undefined) throw new Error('formatter: a record type was not indexed');
    return container;
  }

  commentsIn(container: Container): Comment[] {
    return this.comments.get(container) ?? [];
  }

  private assign(comments: readonly Comment[]): void {
    // Innermost first: the container with the latest start that still holds the comment.
    const all = [this.file, ...this.containers.values()].sort((a, b) => b.start - a.start || a.end - b.end);
    for (const comment of comments) {
      const holder = all.find((c) => c.start <= comment.span.start && comment.span.end <= c.end) ?? this.file;
      const list = this.comments.get(holder);
      if (list === undefined) this.comments.set(holder, [comment]);
      else list.push(comment);
    }
  }

  private visitDeclaration(declaration: Declaration): void {
    const headerEnd = this.headerEnd(declaration);
    if ('members' in declaration) {
      const block = this.findBlock(declaration.span, headerEnd);
      if (block !== undefined) this.containers.set(declaration, block);
      for (const member of declaration.members) this.visitMember(member);
    }
    switch (declaration.kind) {
      case 'Type':
      case 'Store':
      case 'Channel':
        this.visitType(declaration.type);
        break;
      case 'Tool':
        for (const parameter of declaration.parameters) this.visitType(parameter.type);
        if (declaration.returns !== undefined) this.visitType(declaration.returns);
        break;
      default:
        break;
    }
  }

  private visitMember(member: Member): void {
    switch (member.kind) {
      case 'Input':
      case 'Output':
        this.visitType(member.type);
        break;
      case 'Team':
      case 'Model':
      case 'Type':
      case 'Store':
      case 'Channel':
      case 'Agent':
      case 'Tool':
      case 'Consensus':
      case 'Work':
      case 'Task':
        this.visitDeclaration(member);
        break;
      default:
        break;
    }
  }

  private visitType(type: TypeExpression): void {
    switch (type.kind) {
      case 'RecordType':
        this.containers.set(type, { start: type.span.start + 1, end: type.span.end - 1, hasOpener: true });
        for (const field of type.fields) this.visitType(field.type);
        break;
      case 'ArrayType':
        this.visitType(type.element);
        break;
      case 'OptionalType':
        this.visitType(type.inner);
        break;
      case 'UnionType':
        for (const member of type.members) this.visitType(member);
        break;
      default:
        break;
    }
  }

  /** Where a declaration's header ends: its block, if any, opens after this. */
  private headerEnd(declaration: Declaration): number {
    switch (declaration.kind) {
      case 'Store':
      case 'Channel':
      case 'Type':
        return declaration.type.span.end;
      case 'Consensus':
        return declaration.over.span.end;
      case 'Work':
        return declaration.by.span.end;
      case 'Tool': {
        const open = this.tokenIndexAtOrAfter(declaration.name.span.end);
        const close = open === undefined ? undefined : this.matching(open, '(', ')');
        const parametersEnd = close === undefined ? declaration.name.span.end : this.tokenEnd(close);
        return Math.max(parametersEnd, declaration.returns?.span.end ?? 0);
      }
      default:
        return declaration.name.span.end;
    }
  }

  /** The block `{ … }` ending a declaration's span, when its `{` comes after the header. */
  private findBlock(span: Span, headerEnd: number): Container | undefined {
    if (this.text.charAt(span.end - 1) !== '}') return undefined;
    const close = this.tokenIndexAtOrAfter(span.end - 1);
    if (close === undefined || this.tokens[close]!.image !== '}') return undefined;
    const open = this.matchingBackward(close);
    if (open === undefined || this.tokens[open]!.startOffset < headerEnd) return undefined;
    return { start: this.tokenEnd(open), end: span.end - 1, hasOpener: true };
  }

  private tokenEnd(index: number): number {
    return this.tokens[index]!.endOffset! + 1;
  }

  private tokenIndexAtOrAfter(offset: number): number | undefined {
    let lo = 0;
    let hi = this.tokenStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tokenStarts[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.tokens.length ? lo : undefined;
  }

  /** The index of the closer matching the opener at `open`. */
  private matching(open: number, opener: string, closer: string): number | undefined {
    if (this.tokens[open]?.image !== opener) return undefined;
    let depth = 0;
    for (let i = open; i < this.tokens.length; i++) {
      const image = this.tokens[i]!.image;
      if (image === opener) depth++;
      else if (image === closer && --depth === 0) return i;
    }
    return undefined;
  }

  /** The index of the `{` matching the `}` at `close`. */
  private matchingBackward(close: number): number | undefined {
    let depth = 0;
    for (let i = close; i >= 0; i--) {
      const image = this.tokens[i]!.image;
      if (image === '}') depth++;
      else if (image === '{' && --depth === 0) return i;
    }
    return undefined;
  }
}

/** Places a container's comments around its children (in source order). */
export function attachComments<T extends { span: Span }>(
  text: string,
  container: Container,
  children: readonly T[],
  comments: readonly Comment[],
): Attached<T> {
  const attached: Attached<T> = {
    opener: [],
    children: children.map((node) => ({ node, leading: [], inner: [], trailing: [], blankBefore: false })),
    dangling: [],
  };
  const leadingOf = new Map<number, Comment[]>();
  const dangling: Comment[] = [];
  let openerEnd = container.start;

  for (const comment of comments) {
    const { start, end } = comment.span;
    const inside = attached.children.find((child) => child.node.span.start <= start && start < child.node.span.end);
    if (inside !== undefined) {
      inside.inner.push(comment);
      continue;
    }
    if (container.hasOpener && lineBreaks(text, openerEnd, start) === 0 && !children.some((child) => child.span.start < start)) {
      attached.opener.push(comment);
      openerEnd = end;
      continue;
    }
    const previousIndex = lastIndexWhere(attached.children, (child) => child.node.span.end <= start);
    const previous = previousIndex === -1 ? undefined : attached.children[previousIndex]!;
    if (previous !== undefined) {
      const previousEnd = Math.max(previous.node.span.end, ...previous.trailing.map((c) => c.span.end));
      const nextStart = attached.children[previousIndex + 1]?.node.span.start ?? Infinity;
      if (lineBreaks(text, previousEnd, start) === 0 && start < nextStart) {
        previous.trailing.push(comment);
        continue;
      }
    }
    const nextIndex = attached.children.findIndex((child) => child.node.span.start >= end);
    if (nextIndex === -1) dangling.push(comment);
    else leadingOf.set(nextIndex, [...(leadingOf.get(nextIndex) ?? []), comment]);
  }

  // Blank lines, unit by unit in source order: a unit is a leading comment, a child (with what
  // trails it), or a dangling comment.
  let previousEnd: number | undefined;
  const blankSince = (start: number) => previousEnd !== undefined && lineBreaks(text, previousEnd, start) >= 2;
  attached.children.forEach((child, index) => {
    for (const comment of leadingOf.get(index) ?? []) {
      child.leading.push({ comment, blankBefore: blankSince(comment.span.start) });
      previousEnd = comment.span.end;
    }
    const start = Math.min(child.node.span.start, ...child.inner.map((c) => c.span.start));
    child.blankBefore = blankSince(start);
    previousEnd = Math.max(child.node.span.end, ...child.trailing.map((c) => c.span.end));
  });
  for (const comment of dangling) {
    attached.dangling.push({ comment, blankBefore: blankSince(comment.span.start) });
    previousEnd = comment.span.end;
  }
  return attached;
}

function lastIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}
