/**
 * The `.team` parser: tokens → a concrete syntax tree (docs/language.md, "Grammar").
 *
 * One instance is built once and reused (`parser.input = tokens`): building a Chevrotain parser
 * analyses the whole grammar, which costs far more than parsing a file. Error recovery is on, so
 * a file with several independent mistakes yields one error for each and a tree for the rest;
 * the tree may hold partial nodes, which `compiler/syntax/to-ast.ts` reads defensively.
 *
 * One `block` rule serves every block, and a block holds any property or declaration: which
 * belong where is the checker's question (T103), so a misplaced property gets a precise message
 * instead of a syntax error here.
 */
import {
  CstParser,
  EOF,
  tokenMatcher,
  type CstNode,
  type IOrAlt,
  type OrMethodOpts,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import {
  Arrow,
  Colon,
  Comma,
  Dot,
  DotDot,
  Equals,
  FlagKey,
  Identifier,
  Keyword,
  keywordTokens as K,
  LBracket,
  LCurly,
  LParen,
  Name,
  Pipe,
  propertyWords,
  punctuationTokens,
  Question,
  RBracket,
  RCurly,
  RParen,
  StringToken,
  TripleStringLiteral,
  tokenVocabulary,
  UnterminatedTripleStringLiteral,
  Value,
  ValueKey,
} from './tokens.js';

/** A syntax error: offsets into the text, end exclusive. */
export interface SyntaxProblem {
  message: string;
  start: number;
  end: number;
  help?: string[];
  related?: { start: number; end: number; message: string };
}

/** What the parser knows about a block being parsed, for "expected `}` to close the `agent` block". */
interface OpenBlock {
  kind: string;
  open?: IToken;
}

/** Extra help for a message, looked up by its text (the same inputs always build the same text). */
interface MessageDetails {
  help?: string[];
  related?: { token: IToken; message: string };
}

const punctuationTokenSet: ReadonlySet<TokenType> = new Set(punctuationTokens);

/** Tokens that may follow a declaration's name: they tell a keyword used as a name from a missing name. */
const nameFollowers: readonly TokenType[] = [LCurly, Colon, Equals, LParen, K.over, K.by];

class TeamParser extends CstParser {
  /** Blocks being parsed, innermost last. */
  readonly openBlocks: OpenBlock[] = [];
  /** Problems the grammar detects itself (a reserved word as a name), beside Chevrotain's errors. */
  readonly problems: Array<{ message: string; token: IToken; help?: string[] }> = [];
  readonly details = new Map<string, MessageDetails>();

  constructor(messages: IParserErrorMessageProvider) {
    super(tokenVocabulary as TokenType[], { recoveryEnabled: true, errorMessageProvider: messages, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  // Alternatives are built once and reused: an `OR` otherwise allocates its array and closures
  // on every call, which shows on a large file.
  private readonly alternatives: Record<string, IOrAlt<unknown>[]> = {};
  private readonly orOptions: Record<string, OrMethodOpts<unknown>> = {};
  /**
   * Optional trailing values (more budget limits, a back-off delay, an `assign` lead, an unknown
   * property's values) continue a property only on its line. The grammar alone would let them
   * run on, so `budget $3` followed by a line `colour red` would read `colour` as a budget.
   */
  private readonly continuesLine = () => this.LA(1).startLine === this.LA(0).endLine;

  // -------------------------------------------------------------------------------------------
  // File and declarations

  file = this.RULE('file', () => {
    this.MANY(() =>
      this.OR(
        (this.alternatives['file'] ??= [
          { ALT: () => this.SUBRULE(this.importDeclaration) },
          { ALT: () => this.SUBRULE(this.teamDeclaration) },
          { ALT: () => this.SUBRULE(this.modelDeclaration) },
          { ALT: () => this.SUBRULE(this.typeDeclaration) },
          { ALT: () => this.SUBRULE(this.storeDeclaration) },
          { ALT: () => this.SUBRULE(this.channelDeclaration) },
          { ALT: () => this.SUBRULE(this.agentDeclaration) },
          { ALT: () => this.SUBRULE(this.toolDeclaration) },
          { ALT: () => this.SUBRULE(this.consensusDeclaration) },
          { ALT: () => this.SUBRULE(this.workDeclaration) },
          { ALT: () => this.SUBRULE(this.taskDeclaration) },
        ]),
      ),
    );
  });

  importDeclaration = this.RULE('importDeclaration', () => {
    this.CONSUME(K.import, { LABEL: 'keyword' });
    this.CONSUME(StringToken, { LABEL: 'path' });
  });

  teamDeclaration = this.RULE('teamDeclaration', () => {
    this.CONSUME(K.team, { LABEL: 'keyword' });
    this.declarationName();
    this.SUBRULE(this.block, { ARGS: ['team'] });
  });

  /**
   * A model at the top level: always a declaration. Its block is read as optional so that a
   * missing block is one error (reported here) rather than a block that swallows the file.
   */
  modelDeclaration = this.RULE('modelDeclaration', () => {
    this.CONSUME(K.model, { LABEL: 'keyword' });
    this.declarationName();
    const block = this.OPTION(() => this.SUBRULE(this.block, { ARGS: ['model'] }));
    this.ACTION(() => {
      if (block === undefined) this.reportMissingBlock('model');
    });
  });

  /** In a block, `model fast` names a model (a property) and `model fast { … }` declares one. */
  modelMember = this.RULE('modelMember', () => {
    this.CONSUME(K.model, { LABEL: 'keyword' });
    this.declarationName();
    this.OPTION(() => this.SUBRULE(this.block, { ARGS: ['model'] }));
  });

  typeDeclaration = this.RULE('typeDeclaration', () => {
    this.CONSUME(K.type, { LABEL: 'keyword' });
    this.declarationName();
    this.OR(
      (this.orOptions['typeDeclaration'] ??= {
        DEF: [
          {
            ALT: () => {
              this.CONSUME(Equals);
              this.SUBRULE(this.typeExpression);
            },
          },
          { ALT: () => this.SUBRULE(this.recordType) },
        ],
        ERR_MSG: '`=` and a type, or a record `{ … }`,',
      }),
    );
  });

  storeDeclaration = this.RULE('storeDeclaration', () => {
    this.CONSUME(K.store, { LABEL: 'keyword' });
    this.declarationName();
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpression);
    this.OPTION(() => this.SUBRULE(this.block, { ARGS: ['store'] }));
  });

  channelDeclaration = this.RULE('channelDeclaration', () => {
    this.CONSUME(K.channel, { LABEL: 'keyword' });
    this.declarationName();
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpression);
    this.OPTION(() => this.SUBRULE(this.block, { ARGS: ['channel'] }));
  });

  agentDeclaration = this.RULE('agentDeclaration', () => {
    this.CONSUME(K.agent, { LABEL: 'keyword' });
    this.declarationName();
    this.SUBRULE(this.block, { ARGS: ['agent'] });
  });

  toolDeclaration = this.RULE('toolDeclaration', () => {
    this.CONSUME(K.tool, { LABEL: 'keyword' });
    this.declarationName();
    this.CONSUME(LParen);
    this.OPTION(() => {
      this.SUBRULE(this.recordField);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.recordField);
      });
    });
    this.CONSUME(RParen);
    this.OPTION2(() => {
      this.CONSUME(Arrow);
      this.SUBRULE(this.typeExpression);
    });
    this.OPTION3(() => this.SUBRULE(this.block, { ARGS: ['tool'] }));
  });

  consensusDeclaration = this.RULE('consensusDeclaration', () => {
    this.CONSUME(K.consensus, { LABEL: 'keyword' });
    this.declarationName();
    this.CONSUME(K.over);
    this.CONSUME(Identifier, { LABEL: 'over' });
    this.SUBRULE(this.block, { ARGS: ['consensus'] });
  });

  workDeclaration = this.RULE('workDeclaration', () => {
    this.CONSUME(K.work, { LABEL: 'keyword' });
    this.declarationName();
    this.CONSUME(K.by);
    this.CONSUME(Identifier, { LABEL: 'by' });
    this.SUBRULE(this.block, { ARGS: ['work'] });
  });

  taskDeclaration = this.RULE('taskDeclaration', () => {
    this.CONSUME(K.task, { LABEL: 'keyword' });
    this.declarationName();
    this.OPTION(() => this.SUBRULE(this.block, { ARGS: ['task'] }));
  });

  // -------------------------------------------------------------------------------------------
  // Blocks

  /**
   * `{ member* }`. The members sit directly in the block's node (keyed by rule): the AST builder
   * restores their order from their positions, which saves a tree node per member.
   */
  block = this.RULE('block', (kind?: string) => {
    let pushed = false;
    this.ACTION(() => {
      this.openBlocks.push({ kind: kind ?? 'block' });
      pushed = true;
    });
    try {
      const open = this.CONSUME(LCurly);
      this.ACTION(() => {
        this.openBlocks[this.openBlocks.length - 1]!.open = open;
      });
      this.MANY(() =>
        this.OR(
          (this.alternatives['member'] ??= [
            // Declarations
            { ALT: () => this.SUBRULE(this.teamDeclaration) },
            { ALT: () => this.SUBRULE(this.modelMember) },
            { ALT: () => this.SUBRULE(this.typeDeclaration) },
            { ALT: () => this.SUBRULE(this.storeDeclaration) },
            { ALT: () => this.SUBRULE(this.channelDeclaration) },
            { ALT: () => this.SUBRULE(this.agentDeclaration) },
            { ALT: () => this.SUBRULE(this.toolDeclaration) },
            { ALT: () => this.SUBRULE(this.consensusDeclaration) },
            { ALT: () => this.SUBRULE(this.workDeclaration) },
            { ALT: () => this.SUBRULE(this.taskDeclaration) },
            // Properties
            { ALT: () => this.SUBRULE(this.docProperty) },
            { ALT: () => this.SUBRULE(this.inputProperty) },
            { ALT: () => this.SUBRULE(this.outputProperty) },
            { ALT: () => this.SUBRULE(this.valueProperty) },
            { ALT: () => this.SUBRULE(this.budgetProperty) },
            { ALT: () => this.SUBRULE(this.priceProperty) },
            { ALT: () => this.SUBRULE(this.takesProperty) },
            { ALT: () => this.SUBRULE(this.readsProperty) },
            { ALT: () => this.SUBRULE(this.writesProperty) },
            { ALT: () => this.SUBRULE(this.emitsProperty) },
            { ALT: () => this.SUBRULE(this.callsProperty) },
            { ALT: () => this.SUBRULE(this.promptProperty) },
            { ALT: () => this.SUBRULE(this.retryProperty) },
            { ALT: () => this.SUBRULE(this.breakerProperty) },
            { ALT: () => this.SUBRULE(this.hedgeProperty) },
            { ALT: () => this.SUBRULE(this.fallbackProperty) },
            { ALT: () => this.SUBRULE(this.validateProperty) },
            { ALT: () => this.SUBRULE(this.maxRoundsProperty) },
            { ALT: () => this.SUBRULE(this.flagProperty) },
            { ALT: () => this.SUBRULE(this.faultsProperty) },
            { ALT: () => this.SUBRULE(this.agreeProperty) },
            { ALT: () => this.SUBRULE(this.assignProperty) },
            { ALT: () => this.SUBRULE(this.afterProperty) },
            { ALT: () => this.SUBRULE(this.keyProperty) },
            { ALT: () => this.SUBRULE(this.unknownProperty) },
            // Not part of a block: read so that it is one error, not a block cut short.
            { ALT: () => this.SUBRULE(this.misplacedImport) },
          ]),
        ),
      );
      this.CONSUME(RCurly);
    } finally {
      if (pushed) this.openBlocks.pop();
    }
  });

  /** `import "x"` inside a block: reported, and left out of the tree. */
  misplacedImport = this.RULE('misplacedImport', () => {
    const keyword = this.CONSUME(K.import, { LABEL: 'keyword' });
    this.OPTION(() => this.CONSUME(StringToken, { LABEL: 'path' }));
    this.ACTION(() => {
      const block = this.openBlocks[this.openBlocks.length - 1];
      this.problems.push({
        message: `unexpected \`import\` inside the \`${block?.kind ?? 'block'}\` block`,
        token: keyword,
        help: ['imports go at the top level of the file'],
      });
    });
  });

  // -------------------------------------------------------------------------------------------
  // Properties

  docProperty = this.RULE('docProperty', () => {
    this.CONSUME(K.doc, { LABEL: 'keyword' });
    this.CONSUME(StringToken, { LABEL: 'text' });
  });

  inputProperty = this.RULE('inputProperty', () => {
    this.CONSUME(K.input, { LABEL: 'keyword' });
    this.CONSUME(Identifier, { LABEL: 'name' });
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpression);
  });

  /** `output verdict: Verdict from decide` (two tokens of lookahead: a name and `:`) or `output Finding[]`. */
  outputProperty = this.RULE('outputProperty', () => {
    this.CONSUME(K.output, { LABEL: 'keyword' });
    this.OR(
      (this.orOptions['outputProperty'] ??= {
        DEF: [
          {
            ALT: () => {
              this.CONSUME(Identifier, { LABEL: 'name' });
              this.CONSUME(Colon);
              this.SUBRULE(this.typeExpression);
              this.CONSUME(K.from);
              this.CONSUME2(Identifier, { LABEL: 'from' });
            },
          },
          { ALT: () => this.SUBRULE2(this.typeExpression) },
        ],
        ERR_MSG: 'a type',
      }),
    );
  });

  valueProperty = this.RULE('valueProperty', () => {
    this.CONSUME(ValueKey, { LABEL: 'keyword' });
    this.CONSUME(Value, { LABEL: 'value' });
  });

  budgetProperty = this.RULE('budgetProperty', () => {
    this.CONSUME(K.budget, { LABEL: 'keyword' });
    this.SUBRULE(this.budgetLimit);
    this.MANY({ GATE: this.continuesLine, DEF: () => this.SUBRULE2(this.budgetLimit) });
  });

  budgetLimit = this.RULE('budgetLimit', () => {
    this.CONSUME(Value, { LABEL: 'value' });
    this.OPTION(() => this.CONSUME(K.tokens, { LABEL: 'tokens' }));
  });

  priceProperty = this.RULE('priceProperty', () => {
    this.CONSUME(K.price, { LABEL: 'keyword' });
    this.CONSUME(K.input);
    this.CONSUME(Value, { LABEL: 'input' });
    this.CONSUME(K.output);
    this.CONSUME2(Value, { LABEL: 'output' });
    this.OPTION(() => {
      this.CONSUME(K.per);
      this.CONSUME3(Value, { LABEL: 'per' });
    });
  });

  takesProperty = this.RULE('takesProperty', () => {
    this.CONSUME(K.takes, { LABEL: 'keyword' });
    this.SUBRULE(this.takeItem);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.takeItem);
    });
  });

  takeItem = this.RULE('takeItem', () => {
    this.OPTION(() => this.CONSUME(K.all, { LABEL: 'all' }));
    this.CONSUME(Identifier, { LABEL: 'source' });
    this.OPTION2(() => this.CONSUME(Question, { LABEL: 'optional' }));
    this.OPTION3(() => {
      this.CONSUME(K.requires);
      this.CONSUME(Value, { LABEL: 'requires' });
    });
  });

  readsProperty = this.RULE('readsProperty', () => {
    this.CONSUME(K.reads, { LABEL: 'keyword' });
    this.SUBRULE(this.readItem);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.readItem);
    });
  });

  readItem = this.RULE('readItem', () => {
    this.CONSUME(Identifier, { LABEL: 'store' });
    this.OPTION(() => {
      this.CONSUME(K.requires);
      this.CONSUME(Value, { LABEL: 'requires' });
    });
  });

  writesProperty = this.RULE('writesProperty', () => {
    this.CONSUME(K.writes, { LABEL: 'keyword' });
    this.OR(
      (this.orOptions['writeTarget'] ??= {
        DEF: [
          { ALT: () => this.CONSUME(Identifier, { LABEL: 'target' }) },
          { ALT: () => this.CONSUME(StringToken, { LABEL: 'target' }) },
        ],
        ERR_MSG: 'a store name or a quoted file name',
      }),
    );
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OR2(
        (this.orOptions['nextWriteTarget'] ??= {
          DEF: [
            { ALT: () => this.CONSUME2(Identifier, { LABEL: 'target' }) },
            { ALT: () => this.CONSUME2(StringToken, { LABEL: 'target' }) },
          ],
          ERR_MSG: 'a store name or a quoted file name',
        }),
      );
    });
  });

  emitsProperty = this.RULE('emitsProperty', () => {
    this.CONSUME(K.emits, { LABEL: 'keyword' });
    this.SUBRULE(this.emitItem);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.emitItem);
    });
  });

  emitItem = this.RULE('emitItem', () => {
    this.CONSUME(Identifier, { LABEL: 'channel' });
    this.OPTION(() => {
      this.OR(
        (this.alternatives['emitCondition'] ??= [
          { ALT: () => this.CONSUME(K.when, { LABEL: 'condition' }) },
          { ALT: () => this.CONSUME(K.unless, { LABEL: 'condition' }) },
        ]),
      );
      this.SUBRULE(this.fieldPath);
    });
  });

  callsProperty = this.RULE('callsProperty', () => {
    this.CONSUME(K.calls, { LABEL: 'keyword' });
    this.CONSUME(Identifier, { LABEL: 'tool' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier, { LABEL: 'tool' });
    });
  });

  promptProperty = this.RULE('promptProperty', () => {
    this.CONSUME(K.prompt, { LABEL: 'keyword' });
    this.OR(
      (this.orOptions['prompt'] ??= {
        DEF: [
          { ALT: () => this.CONSUME(StringToken, { LABEL: 'text' }) },
          {
            ALT: () => {
              this.CONSUME(K.file, { LABEL: 'file' });
              this.CONSUME2(StringToken, { LABEL: 'path' });
            },
          },
        ],
        ERR_MSG: 'a string or `file "…"`',
      }),
    );
  });

  /** `retry 3 backoff exponential 500ms..8s jitter` */
  retryProperty = this.RULE('retryProperty', () => {
    this.CONSUME(K.retry, { LABEL: 'keyword' });
    this.CONSUME(Value, { LABEL: 'attempts' });
    this.OPTION(() => {
      this.CONSUME(K.backoff, { LABEL: 'backoff' });
      this.CONSUME2(Value, { LABEL: 'strategy' });
      this.OPTION2({
        GATE: this.continuesLine,
        DEF: () => {
          this.CONSUME3(Value, { LABEL: 'delay' });
          this.OPTION3(() => {
            this.CONSUME(DotDot);
            this.CONSUME4(Value, { LABEL: 'maxDelay' });
          });
        },
      });
    });
    this.OPTION4(() => this.CONSUME(K.jitter, { LABEL: 'jitter' }));
  });

  breakerProperty = this.RULE('breakerProperty', () => {
    this.CONSUME(K.breaker, { LABEL: 'keyword' });
    this.CONSUME(Value, { LABEL: 'failures' });
    this.CONSUME(K.failures);
    this.CONSUME(K.in);
    this.CONSUME2(Value, { LABEL: 'window' });
    this.CONSUME(K.cooldown);
    this.CONSUME3(Value, { LABEL: 'cooldown' });
  });

  hedgeProperty = this.RULE('hedgeProperty', () => {
    this.CONSUME(K.hedge, { LABEL: 'keyword' });
    this.CONSUME(K.after);
    this.CONSUME(Value, { LABEL: 'after' });
  });

  fallbackProperty = this.RULE('fallbackProperty', () => {
    this.CONSUME(K.fallback, { LABEL: 'keyword' });
    this.CONSUME(Identifier, { LABEL: 'agent' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier, { LABEL: 'agent' });
    });
  });

  validateProperty = this.RULE('validateProperty', () => {
    this.CONSUME(K.validate, { LABEL: 'keyword' });
    this.CONSUME(K.with);
    this.CONSUME(Identifier, { LABEL: 'validator' });
  });

  maxRoundsProperty = this.RULE('maxRoundsProperty', () => {
    this.CONSUME(K.max, { LABEL: 'keyword' });
    this.CONSUME(K.rounds);
    this.CONSUME(Value, { LABEL: 'rounds' });
  });

  flagProperty = this.RULE('flagProperty', () => {
    this.CONSUME(FlagKey, { LABEL: 'keyword' });
  });

  faultsProperty = this.RULE('faultsProperty', () => {
    this.CONSUME(K.faults, { LABEL: 'keyword' });
    this.CONSUME(Value, { LABEL: 'count' });
    this.CONSUME2(Value, { LABEL: 'model' });
  });

  agreeProperty = this.RULE('agreeProperty', () => {
    this.CONSUME(K.agree, { LABEL: 'keyword' });
    this.CONSUME(K.on);
    this.SUBRULE(this.fieldPath);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.fieldPath);
    });
    this.OPTION(() => {
      this.CONSUME(K.normalize);
      this.CONSUME(Value, { LABEL: 'normalize' });
    });
  });

  assignProperty = this.RULE('assignProperty', () => {
    this.CONSUME(K.assign, { LABEL: 'keyword' });
    this.CONSUME(Value, { LABEL: 'policy' });
    this.OPTION({ GATE: this.continuesLine, DEF: () => this.CONSUME(Identifier, { LABEL: 'lead' }) });
  });

  afterProperty = this.RULE('afterProperty', () => {
    this.CONSUME(K.after, { LABEL: 'keyword' });
    this.CONSUME(Identifier, { LABEL: 'task' });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier, { LABEL: 'task' });
    });
  });

  keyProperty = this.RULE('keyProperty', () => {
    this.CONSUME(K.key, { LABEL: 'keyword' });
    this.SUBRULE(this.fieldPath);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.fieldPath);
    });
  });

  /**
   * A name where a property keyword should be, kept for the checker's "did you mean". Its values
   * stop at the end of its line (see `continuesLine`): otherwise a second unknown property on the
   * next line would be read as values of the first.
   *
   * A block may follow (beyond the grammar's `IDENT { value }`): a misspelt declaration keyword,
   * `agnet reviewer { … }`, is then one unknown word for the checker to correct, instead of a
   * stray `{` whose `}` would close the enclosing block early and derail the rest of the file.
   */
  unknownProperty = this.RULE('unknownProperty', () => {
    const name = this.CONSUME(Identifier, { LABEL: 'keyword' });
    // Commas are read too, so a list without its keyword (`add, mul` for `after add, mul`) is one
    // unknown property rather than an error at each comma.
    this.MANY({
      GATE: this.continuesLine,
      DEF: () =>
        this.OR(
          (this.alternatives['unknownValue'] ??= [
            { ALT: () => this.CONSUME(Value, { LABEL: 'values' }) },
            { ALT: () => this.CONSUME(Comma) },
          ]),
        ),
    });
    // `Finding { file: string }`: a record type without its `type`. Read as a record, and said so.
    this.OPTION({
      GATE: this.recordBodyFollows,
      DEF: () => {
        this.SUBRULE(this.recordType);
        this.ACTION(() => this.reportRecordWithoutType(name));
      },
    });
    this.OPTION2(() => this.SUBRULE(this.block, { ARGS: [name.image] }));
  });

  fieldPath = this.RULE('fieldPath', () => {
    this.CONSUME(Name, { LABEL: 'segment' });
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME2(Name, { LABEL: 'segment' });
    });
  });

  // -------------------------------------------------------------------------------------------
  // Types

  /** `A | B[] | …`: the first member is read in place, the others as `postfixType`s. */
  typeExpression = this.RULE('typeExpression', () => {
    this.primaryWithSuffixes();
    this.MANY(() => {
      this.CONSUME(Pipe);
      this.SUBRULE(this.postfixType);
    });
  });

  /** A member of a union after the first (the grammar's `postfixType`). */
  postfixType = this.RULE('postfixType', () => {
    this.primaryWithSuffixes();
  });

  recordType = this.RULE('recordType', () => {
    this.CONSUME(LCurly);
    this.MANY(() => {
      this.SUBRULE(this.recordField);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RCurly);
  });

  /** Field names may be keywords (`file: string`): they are never references. */
  recordField = this.RULE('recordField', () => {
    this.CONSUME(Name, { LABEL: 'name' });
    this.OPTION(() => this.CONSUME(Question, { LABEL: 'optional' }));
    this.CONSUME(Colon);
    this.SUBRULE(this.typeExpression);
  });

  // -------------------------------------------------------------------------------------------
  // Recovery

  /**
   * When the token after the unexpected one is the one expected, the unexpected one is usually a
   * stray: a word written twice (`agent reviewer reviewer {`) or one too many before punctuation
   * (`{ string line: int }`). Deleting it is the right repair, but Chevrotain tries inserting the
   * expected token first, which reads the stray as the start of something else and sets off a
   * chain of errors. So in those two cases, no insertion (and deletion follows). Otherwise a
   * missing token is the likelier mistake (`timeout` then `retry 3`: insert the value).
   */
  protected override canTokenTypeBeInsertedInRecovery(tokenType: TokenType): boolean {
    if (!tokenMatcher(this.LA(2), tokenType)) return true;
    const stray = this.LA(1);
    const repeated = stray.image === this.LA(0).image;
    return !(repeated || punctuationTokenSet.has(tokenType));
  }

  // -------------------------------------------------------------------------------------------
  // Parts shared by several rules. They run inside the calling rule (no tree node of their own:
  // one per declaration or type adds up on a large file), with DSL indices 7–9 that the rules
  // themselves leave free.

  /**
   * A declaration's name. A reserved word followed by what follows a name (`agent model {`) is
   * taken as the name and reported as reserved, and a missing name before `{` is reported
   * without losing the block: both keep one mistake to one error.
   */
  private declarationName(): void {
    this.OR9(
      (this.orOptions['declarationName'] ??= {
        DEF: [
          { ALT: () => this.CONSUME9(Identifier, { LABEL: 'name' }) },
          {
            GATE: () => this.followsName(this.LA(2)),
            ALT: () => {
              const word = this.CONSUME9(Keyword, { LABEL: 'name' });
              this.ACTION(() => this.reportReservedName(word));
            },
          },
          {
            GATE: () => this.followsName(this.LA(1)),
            ALT: () => this.ACTION(() => this.reportMissingName()),
          },
        ],
        ERR_MSG: 'a name',
      }),
    );
  }

  /**
   * A primary type and its suffixes: `Finding`, `"info"`, `{ … }`, `(A | B)`, then `[]` and `?`
   * in any order (`T[]?`). The suffixes share one label so their order survives.
   */
  private primaryWithSuffixes(): void {
    this.OR8(
      (this.orOptions['primaryType'] ??= {
        DEF: [
          { ALT: () => this.CONSUME8(Identifier, { LABEL: 'name' }) },
          { ALT: () => this.CONSUME8(StringToken, { LABEL: 'literal' }) },
          { ALT: () => this.SUBRULE8(this.recordType) },
          {
            ALT: () => {
              this.CONSUME8(LParen);
              this.SUBRULE8(this.typeExpression);
              this.CONSUME8(RParen);
            },
          },
        ],
        ERR_MSG: 'a type',
      }),
    );
    this.MANY8(() =>
      this.OR7(
        (this.alternatives['typeSuffix'] ??= [
          {
            ALT: () => {
              this.CONSUME7(LBracket, { LABEL: 'suffix' });
              this.CONSUME7(RBracket);
            },
          },
          { ALT: () => this.CONSUME7(Question, { LABEL: 'suffix' }) },
        ]),
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Helpers used by the rules above

  private followsName(token: IToken): boolean {
    for (const type of nameFollowers) if (tokenMatcher(token, type)) return true;
    return false;
  }

  private reportReservedName(word: IToken): void {
    const declared = this.LA(-1);
    this.problems.push({
      message: `expected a name after ${quote(declared)}, found keyword \`${word.image}\``,
      token: word,
      help: [`\`${word.image}\` is a reserved word and cannot be a name; rename it, for example \`my_${word.image}\``],
    });
  }

  /**
   * The token before `token` in the input. Error messages need it where Chevrotain's `previous`
   * is unreliable: in-repetition recovery builds its message after skipping ahead.
   */
  tokenBefore(token: IToken): IToken | undefined {
    const tokens = this.input;
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const offset = tokens[mid]!.startOffset;
      if (offset === token.startOffset) return tokens[mid - 1];
      if (offset < token.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** `{ name:` or `{ name?` starts a record body, never a block. */
  private readonly recordBodyFollows = (): boolean =>
    tokenMatcher(this.LA(1), LCurly) && tokenMatcher(this.LA(2), Name) && (tokenMatcher(this.LA(3), Colon) || tokenMatcher(this.LA(3), Question));

  private reportRecordWithoutType(name: IToken): void {
    this.problems.push({
      message: `\`${name.image} { … }\` is not a declaration: a record type needs \`type\``,
      token: name,
      help: [`declare it as \`type ${name.image} { … }\``],
    });
  }

  private reportMissingBlock(kind: string): void {
    const next = this.LA(1);
    this.problems.push({
      message: `expected \`{\` to open the \`${kind}\` block${after(this.LA(0))}, found ${describeFound(next, false)}`,
      token: next,
    });
  }

  private reportMissingName(): void {
    const next = this.LA(1);
    this.problems.push({
      message: `expected a name after ${quote(this.LA(0))}, found ${describeFound(next, false)}`,
      token: next,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Error messages

/** What a name is expected to name, by the rule that expects it. */
const nameRoles: Record<string, string> = {
  takeItem: 'an input or channel name',
  readItem: 'a store name',
  emitItem: 'a channel name',
  callsProperty: 'a tool name',
  fallbackProperty: 'an agent name',
  validateProperty: 'an agent name',
  afterProperty: 'a task name',
  consensusDeclaration: 'an agent name',
  workDeclaration: 'an agent name',
  inputProperty: 'a name',
  outputProperty: 'a name',
};

const propertyWordSet: ReadonlySet<string> = new Set(propertyWords);

function isKeyword(token: IToken): boolean {
  return tokenMatcher(token, Keyword);
}

function isEnd(token: IToken | undefined): boolean {
  return token === undefined || token.tokenType === EOF;
}

/** Short enough for a message: long images are cut. */
function shortImage(image: string): string {
  const firstLine = image.split(/\r\n|\r|\n/, 1)[0]!;
  return firstLine.length > 32 || firstLine.length < image.length ? `${firstLine.slice(0, 32)}…` : firstLine;
}

function quote(token: IToken): string {
  if (isEnd(token)) return 'the start of the file';
  if (token.tokenType === TripleStringLiteral || token.tokenType === UnterminatedTripleStringLiteral) return 'the string';
  return `\`${shortImage(token.image)}\``;
}

function describeFound(token: IToken, nameExpected: boolean): string {
  if (isEnd(token)) return 'the end of the file';
  if (tokenMatcher(token, StringToken)) {
    return token.tokenType === TripleStringLiteral || token.tokenType === UnterminatedTripleStringLiteral
      ? 'a triple-quoted string'
      : `the string \`${shortImage(token.image)}\``;
  }
  if (nameExpected && isKeyword(token)) return `keyword \`${token.image}\``;
  return `\`${shortImage(token.image)}\``;
}

/** "after `x`", or nothing at the start of the file. */
function after(previous: IToken): string {
  return isEnd(previous) ? '' : ` after ${quote(previous)}`;
}

function describeExpected(expected: TokenType, ruleName: string): string {
  if (expected === Identifier) return nameRoles[ruleName] ?? 'a name';
  if (expected === Value) return 'a value';
  if (expected === StringToken) return 'a string';
  if (expected === Name) return 'a field name';
  const label = expected.LABEL ?? expected.name;
  if (label.startsWith("'") && label.endsWith("'")) return `\`${label.slice(1, -1)}\``;
  return /^[aeiou]/.test(label) ? `an ${label}` : `a ${label}`;
}

/** The message provider and the parser need each other: the provider reads the open blocks. */
function createMessages(getParser: () => TeamParser): IParserErrorMessageProvider {
  // The first error with a given text is the one kept (see `parserProblems` in parse.ts), so the
  // first details recorded for it are the ones that belong to it.
  const remember = (message: string, details: MessageDetails): string => {
    const known = getParser().details;
    if (!known.has(message)) known.set(message, details);
    return message;
  };

  const topLevel = (actual: IToken): string => {
    if (tokenMatcher(actual, RCurly)) {
      return remember('unexpected `}`: there is no open block to close', {
        help: ['remove it, or check the `{` that should open its block'],
      });
    }
    if (isKeyword(actual) && propertyWordSet.has(actual.image)) {
      return remember(`unexpected property \`${actual.image}\` at the top level of the file`, {
        help: ['properties go inside a block, such as `team Name { … }` or `agent name { … }`'],
      });
    }
    return remember(`expected \`import\` or a declaration, found ${describeFound(actual, false)}`, {
      help: ['a file holds imports and declarations: `team`, `model`, `type`, `tool`'],
    });
  };

  return {
    buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
      const parser = getParser();
      if (expected === EOF) return topLevel(actual);
      if (ruleName === 'block' && (expected === RCurly || expected === LCurly)) {
        const block = parser.openBlocks[parser.openBlocks.length - 1];
        const kind = block?.kind ?? 'block';
        if (expected === LCurly) {
          return `expected \`{\` to open the \`${kind}\` block${after(previous)}, found ${describeFound(actual, false)}`;
        }
        const message = `expected \`}\` to close the \`${kind}\` block, found ${describeFound(actual, false)}`;
        const before = isEnd(actual) ? undefined : parser.tokenBefore(actual);
        const details: MessageDetails = {};
        if (block?.open !== undefined && isEnd(actual)) details.related = { token: block.open, message: `the \`${kind}\` block opens here` };
        if (tokenMatcher(actual, Comma)) details.help = ['properties are separated by spaces or line breaks, not commas'];
        else if (tokenMatcher(actual, Equals) && before !== undefined && tokenMatcher(before, Identifier)) {
          details.help = [`a type is declared as \`type ${before.image} = …\``];
        } else if (!isEnd(actual)) details.help = [`a block holds properties (\`timeout 30s\`) and declarations; \`${shortImage(actual.image)}\` starts neither`];
        return remember(message, details);
      }
      if (ruleName === 'recordType' && expected === RCurly) {
        return `expected \`}\` to close the record type, found ${describeFound(actual, false)}`;
      }
      if (expected === RParen && ruleName === 'toolDeclaration') {
        return `expected \`)\` to close the parameter list, found ${describeFound(actual, false)}`;
      }
      if (expected === RParen && (ruleName === 'postfixType' || ruleName === 'typeExpression')) {
        return `expected \`)\` to close the parenthesised type, found ${describeFound(actual, false)}`;
      }
      const nameExpected = expected === Identifier || expected === Name;
      const message = `expected ${describeExpected(expected, ruleName)}${after(previous)}, found ${describeFound(actual, nameExpected)}`;
      if (nameExpected && isKeyword(actual)) {
        return remember(message, { help: [`\`${actual.image}\` is a reserved word and cannot be a name`] });
      }
      return message;
    },

    buildNotAllInputParsedMessage({ firstRedundant }) {
      return topLevel(firstRedundant);
    },

    buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, customUserDescription, ruleName }) {
      const found = actual[0]!;
      const expectation = customUserDescription ?? alternativesText(expectedPathsPerAlt, ruleName);
      const nameExpected = customUserDescription === 'a name';
      const message = `expected ${expectation}${after(previous)}, found ${describeFound(found, nameExpected)}`;
      if (nameExpected && isKeyword(found)) {
        return remember(message, { help: [`\`${found.image}\` is a reserved word and cannot be a name`] });
      }
      return message;
    },

    buildEarlyExitMessage({ expectedIterationPaths, actual, previous, customUserDescription, ruleName }) {
      const expectation = customUserDescription ?? alternativesText([expectedIterationPaths], ruleName);
      return `expected ${expectation}${after(previous)}, found ${describeFound(actual[0]!, false)}`;
    },
  };
}

/** "`=` or `{`": the first token of each way to go on. */
function alternativesText(pathsPerAlternative: TokenType[][][], ruleName: string): string {
  const firsts: string[] = [];
  for (const paths of pathsPerAlternative) {
    for (const path of paths) {
      const first = path[0];
      if (first === undefined) continue;
      const text = describeExpected(first, ruleName);
      if (!firsts.includes(text)) firsts.push(text);
    }
  }
  if (firsts.length === 0) return 'something else';
  if (firsts.length === 1) return firsts[0]!;
  return `${firsts.slice(0, -1).join(', ')} or ${firsts[firsts.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------
// The shared instance

let instance: TeamParser | undefined;
const messages = createMessages(() => instance!);
instance = new TeamParser(messages);

/** The parser, built once (for the AST builder's visitor base class). */
export const teamParser: CstParser = instance;

export interface ParseTreeResult {
  cst: CstNode;
  problems: SyntaxProblem[];
}

/**
 * Parses a token stream into a tree and the syntax problems found on the way. `textLength` places
 * problems found at the end of the input.
 */
export function parseTokens(tokens: IToken[], textLength: number): ParseTreeResult {
  const parser = instance!;
  parser.openBlocks.length = 0;
  parser.problems.length = 0;
  parser.details.clear();

  // Nesting is parsed by recursion, so the stack bounds it: past the limit, the rest of the file
  // is left unread (one error) rather than overflowing the stack.
  const tooDeep = firstTooDeep(tokens);
  parser.input = tooDeep === -1 ? tokens : tokens.slice(0, tooDeep);
  const cst = parser.file();

  const problems: SyntaxProblem[] = [];
  for (const error of parser.errors) {
    problems.push(toProblem(error.message, error.token, textLength, parser.details.get(error.message)));
  }
  for (const problem of parser.problems) {
    const converted = toProblem(problem.message, problem.token, textLength, undefined);
    if (problem.help !== undefined) converted.help = problem.help;
    problems.push(converted);
  }
  // Leave no reference to this file's tokens behind in the shared instance.
  parser.input = [];
  if (tooDeep === -1) return { cst, problems };

  const cutAt = tokens[tooDeep]!;
  // What the parser says about the end of the shortened input is about the cut, not the file.
  const kept = problems.filter((problem) => problem.start < cutAt.startOffset);
  kept.push({
    message: `nested too deeply: more than ${maximumNesting} levels of \`{\`, \`(\` and \`[\``,
    start: cutAt.startOffset,
    end: cutAt.endOffset! + 1,
    help: ['the rest of the file is not read'],
  });
  return { cst, problems: kept };
}

/** Far beyond any real file, and well within the stack. */
export const maximumNesting = 64;

/** The index of the first bracket that opens a level beyond `maximumNesting`, or -1. */
function firstTooDeep(tokens: IToken[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (type === LCurly || type === LParen || type === LBracket) {
      if (++depth > maximumNesting) return i;
    } else if ((type === RCurly || type === RParen || type === RBracket) && depth > 0) {
      depth--;
    }
  }
  return -1;
}

function toProblem(message: string, token: IToken, textLength: number, details: MessageDetails | undefined): SyntaxProblem {
  const [start, end] = tokenRange(token, textLength);
  const problem: SyntaxProblem = { message, start, end };
  if (details?.help !== undefined) problem.help = details.help;
  if (details?.related !== undefined) {
    const [relatedStart, relatedEnd] = tokenRange(details.related.token, textLength);
    problem.related = { start: relatedStart, end: relatedEnd, message: details.related.message };
  }
  return problem;
}

/** A token's offsets, end exclusive; the end of the input for the virtual end-of-file token. */
function tokenRange(token: IToken, textLength: number): [number, number] {
  const start = token.startOffset;
  if (isEnd(token) || !Number.isFinite(start) || start < 0) return [textLength, textLength];
  // Triple-quoted strings can be long: point at their opening quotes.
  const end = token.tokenType === TripleStringLiteral || token.tokenType === UnterminatedTripleStringLiteral ? start + 3 : token.endOffset! + 1;
  return [start, end];
}
