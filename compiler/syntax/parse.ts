/**
 * Source text → AST, comments and syntax diagnostics (T100): lexer, parser and AST builder in
 * one call. It never throws: every problem in the input becomes a diagnostic with a span inside
 * the file, and the AST holds whatever could be read.
 */
import { lex } from '../../grammar/lexer.js';
import { parseTokens, type SyntaxProblem } from '../../grammar/parser.js';
import { LineComment } from '../../grammar/tokens.js';
import type { Diagnostic, Label } from '../diagnostics/diagnostic.js';
import { createDiagnostic } from '../diagnostics/registry.js';
import type { SourceFile } from '../source.js';
import type { SourceFileNode, Span } from './ast.js';
import { buildAst } from './to-ast.js';

/** A comment as written (delimiters included), for the formatter. */
export interface Comment {
  text: string;
  span: Span;
  /** `/* … *\/` rather than `// …`. */
  block: boolean;
}

export interface ParseResult {
  ast: SourceFileNode;
  /** Syntax errors (T100), in source order. */
  diagnostics: Diagnostic[];
  comments: Comment[];
}

interface Problem {
  message: string;
  start: number;
  end: number;
  label?: string;
  help?: string[];
  related?: { start: number; end: number; message: string };
}

export function parseSourceFile(source: SourceFile): ParseResult {
  const text = source.text;
  try {
    const lexed = lex(text);
    const parsed = parseTokens(lexed.tokens, text.length);
    const built = buildAst(parsed.cst, text.length);

    const problems: Problem[] = [...lexed.problems, ...parserProblems(parsed.problems, lexed.swallowedRestOfFile, text.length), ...built.problems];
    problems.sort((a, b) => a.start - b.start || a.end - b.end);
    const diagnostics = problems.map((problem) => toDiagnostic(source.path, problem));

    const comments: Comment[] = lexed.comments.map((token) => ({
      text: token.image,
      span: { start: token.startOffset, end: token.endOffset! + 1 },
      block: token.tokenType !== LineComment,
    }));
    return { ast: built.ast, diagnostics, comments };
  } catch (error) {
    // A bug here must not take down the CLI or the language server: report it and carry on.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ast: { kind: 'File', imports: [], declarations: [], span: { start: 0, end: text.length } },
      diagnostics: [toDiagnostic(source.path, { message: `internal error in the parser: ${message}`, start: 0, end: 0 })],
      comments: [],
    };
  }
}

/**
 * One mistake, one error: recovery can report twice at the same token, and when an unterminated
 * string or comment swallowed the rest of the file, "expected `}`, found the end of the file" only
 * repeats the lexer's error.
 */
function parserProblems(problems: SyntaxProblem[], swallowedRestOfFile: boolean, textLength: number): SyntaxProblem[] {
  const sorted = [...problems].sort((a, b) => a.start - b.start);
  const kept: SyntaxProblem[] = [];
  for (const problem of sorted) {
    if (swallowedRestOfFile && problem.start === textLength) continue;
    if (kept.length > 0 && kept[kept.length - 1]!.start === problem.start) continue;
    kept.push(problem);
  }
  return kept;
}

function toDiagnostic(file: string, problem: Problem): Diagnostic {
  const related: Label[] =
    problem.related === undefined ? [] : [{ file, span: { start: problem.related.start, end: problem.related.end }, message: problem.related.message }];
  return createDiagnostic({
    code: 'T100',
    args: { message: problem.message },
    at: { file, span: { start: problem.start, end: problem.end } },
    ...(problem.label === undefined ? {} : { label: problem.label }),
    related,
    help: problem.help ?? [],
  });
}
