/**
 * Where a prompt template uses an agent's inputs: `{{diff}}`, `{{drafts.title}}`,
 * `{{#each findings}}`, `{{../diff}}` inside a block, `{{@root.diff}}`. These are uses of the
 * input, channel or store the agent takes or reads, so references and rename must see them:
 * renaming a channel without its `{{…}}` would break the prompt (T202).
 *
 * Handlebars' own parser reads the template (as the checker does), so what counts as a variable
 * is exactly what handlebars will look up; a template that does not parse has no uses (T206).
 */
import Handlebars from 'handlebars';
import { computeLineStarts } from '../source.js';
import type { Span } from '../syntax/ast.js';
import type { NameReference, PromptTemplate } from './symbols.js';

type HbsNode = hbs.AST.Node;
type HbsProgram = hbs.AST.Program;
type HbsExpression = hbs.AST.Expression;

/** Blocks whose body sees a new context (`{{#each xs}}{{field}}{{/each}}`): a bare name there is not an input. */
const contextChangingHelpers = new Set(['each', 'with']);

/** The text of an inline template as written: between the quotes, escapes and indentation untouched. */
export function inlineTemplateContent(fileText: string, literal: { span: Span; triple: boolean }): { text: string; offset: number } {
  const quote = literal.triple ? 3 : 1;
  const raw = fileText.slice(literal.span.start, literal.span.end);
  const closed = raw.length >= 2 * quote && raw.endsWith('"'.repeat(quote));
  return { text: raw.slice(quote, closed ? raw.length - quote : raw.length), offset: literal.span.start + quote };
}

/**
 * The uses of the agent's inputs in a template. `text` is the template, `offset` where it starts
 * in `file`; the spans cover the input's name only (the head of a path).
 */
export function templateReferences(template: PromptTemplate, file: string, text: string, offset: number): NameReference[] {
  let program: HbsProgram;
  try {
    program = Handlebars.parse(text);
  } catch {
    return [];
  }
  const lineStarts = computeLineStarts(text);
  const found: NameReference[] = [];

  const variable = (path: hbs.AST.PathExpression, depth: number): void => {
    let head: string | undefined;
    if (path.data) {
      if (path.parts[0] === 'root' && path.parts.length > 1) head = path.parts[1];
    } else if (path.depth === depth && path.parts.length > 0) {
      head = path.parts[0];
    }
    if (head === undefined) return;
    const kinds = template.variables.get(head);
    if (kinds === undefined) return;
    // What comes before the name: `@root.`, `../`, `this.`, or nothing.
    const prefix = path.data ? '@root.'.length : path.original.length - path.parts.join('.').length;
    const start = offsetOf(lineStarts, path.loc.start) + prefix;
    // Locations come from handlebars' lexer; a use is only kept where the name really is.
    if (text.slice(start, start + head.length) !== head) return;
    found.push({
      name: head,
      file,
      span: { start: offset + start, end: offset + start + head.length },
      kinds,
      role: 'prompt',
      scope: template.scope,
      owner: template.agent,
    });
  };

  const expression = (node: HbsExpression, depth: number, asHelper: boolean): void => {
    if (node.type === 'PathExpression') {
      if (!asHelper) variable(node as hbs.AST.PathExpression, depth);
    } else if (node.type === 'SubExpression') {
      const call = node as hbs.AST.SubExpression;
      arguments_(call.params, call.hash, depth);
    }
  };

  const arguments_ = (params: HbsExpression[], hash: hbs.AST.Hash | undefined, depth: number): void => {
    for (const param of params) expression(param, depth, false);
    for (const pair of hash?.pairs ?? []) expression(pair.value, depth, false);
  };

  const statements = (block: HbsProgram | undefined, depth: number): void => {
    for (const statement of block?.body ?? []) visit(statement, depth);
  };

  const visit = (node: HbsNode, depth: number): void => {
    switch (node.type) {
      case 'MustacheStatement': {
        const mustache = node as hbs.AST.MustacheStatement;
        const isCall = mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0;
        expression(mustache.path as HbsExpression, depth, isCall);
        arguments_(mustache.params, mustache.hash, depth);
        return;
      }
      case 'BlockStatement': {
        const block = node as hbs.AST.BlockStatement;
        arguments_(block.params, block.hash, depth);
        const helper = block.path.type === 'PathExpression' ? (block.path as hbs.AST.PathExpression).original : '';
        statements(block.program, contextChangingHelpers.has(helper) ? depth + 1 : depth);
        statements(block.inverse, depth);
        return;
      }
      default:
        return;
    }
  };

  statements(program, 0);
  return found;
}


function offsetOf(lineStarts: readonly number[], position: { line: number; column: number }): number {
  return (lineStarts[position.line - 1] ?? 0) + position.column;
}
