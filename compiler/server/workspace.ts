/**
 * What the language server knows about files: the open documents (the editor's text wins over
 * the disk), a cache of disk reads (dropped when the editor says a file changed on disk), parsed
 * files and their name indexes (reused while a file's text is unchanged), and one checked
 * program per open document (reused while none of the files it read has changed).
 *
 * Caching by text rather than by time is what keeps a keystroke cheap: an edit re-reads nothing
 * from disk, and re-parses only the files whose text changed.
 */
import { checkFiles, type CheckedProgram, type CompilerHost } from '../program.js';
import { createSourceFile, type SourceFile } from '../source.js';
import type { SourceFileNode } from '../syntax/ast.js';
import { parseSourceFile } from '../syntax/parse.js';
import { Project } from './project.js';
import { indexFile, type FileIndex } from './symbols.js';
import { pathToUri } from './uri.js';

/** How the language service reaches the world outside the editor. */
export interface LanguageServiceHost {
  /** A file's text on disk, or undefined when it cannot be read. */
  readFile(filePath: string): string | undefined;
  /** The `.team` files of the workspace that references and rename search besides the open ones. */
  workspaceFiles?(): readonly string[];
}

export interface OpenDocument {
  uri: string;
  path: string;
  text: string;
  version: number;
}

export interface ParsedFile {
  source: SourceFile;
  ast: SourceFileNode;
}

interface ParsedEntry extends ParsedFile {
  index?: FileIndex;
}

interface Analysis {
  /** Every file the check read, with what it read: the cache is good while all still read the same. */
  reads: Map<string, string | undefined>;
  checked: CheckedProgram;
}

/** Up to this many characters (about two thousand lines), completion parses the text it completes: a few milliseconds. */
const freshParseLimit = 64 * 1024;

export class Workspace {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly disk = new Map<string, string | undefined>();
  private readonly parsed = new Map<string, ParsedEntry>();
  private readonly analyses = new Map<string, Analysis>();
  /** Per document, the last check in which it had no syntax error: a half-typed line loses parts of the tree. */
  private readonly cleanChecks = new Map<string, CheckedProgram>();
  readonly project: Project;

  constructor(private readonly host: LanguageServiceHost) {
    this.project = new Project({
      index: (file) => this.index(file),
      text: (file) => this.read(file),
      files: () => this.searchedFiles(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Documents and files

  open(document: OpenDocument): void {
    this.documents.set(document.path, document);
  }

  close(filePath: string): void {
    this.documents.delete(filePath);
    this.analyses.delete(filePath);
    this.cleanChecks.delete(filePath);
  }

  document(filePath: string): OpenDocument | undefined {
    return this.documents.get(filePath);
  }

  openDocuments(): OpenDocument[] {
    return [...this.documents.values()];
  }

  /** Files changed on disk (or all of them, when the editor cannot say which). */
  diskChanged(paths?: readonly string[]): void {
    if (paths === undefined) this.disk.clear();
    else for (const filePath of paths) this.disk.delete(filePath);
  }

  /** The URI the editor uses for a file: its own for an open document. */
  uriOf(filePath: string): string {
    return this.documents.get(filePath)?.uri ?? pathToUri(filePath);
  }

  /** A file's current text: the open document's, else the disk's (read once until it changes). */
  read(filePath: string): string | undefined {
    const open = this.documents.get(filePath);
    if (open !== undefined) return open.text;
    if (this.disk.has(filePath)) return this.disk.get(filePath);
    const text = this.host.readFile(filePath);
    this.disk.set(filePath, text);
    return text;
  }

  /** The parsed current text of a file; parsing again only when the text changed. */
  parse(filePath: string): ParsedFile | undefined {
    const text = this.read(filePath);
    if (text === undefined) return undefined;
    const cached = this.parsed.get(filePath);
    if (cached !== undefined && cached.source.text === text) return cached;
    const source = createSourceFile(filePath, text);
    const entry: ParsedEntry = { source, ast: parseSourceFile(source).ast };
    this.parsed.set(filePath, entry);
    return entry;
  }

  /**
   * A parse of a file for completion: of its current text when that is cheap (a small file), else
   * the most recent one, even of an older text. The names a large file declares rarely change
   * with a keystroke, and waiting for its parse would make typing lag.
   */
  latestParse(filePath: string): ParsedFile | undefined {
    const cached = this.parsed.get(filePath);
    if (cached === undefined || (this.read(filePath)?.length ?? 0) <= freshParseLimit) return this.parse(filePath);
    return cached;
  }

  /** The name index of a file's current text. */
  index(filePath: string): FileIndex | undefined {
    const parsed = this.parse(filePath);
    return parsed === undefined ? undefined : this.indexOf(parsed);
  }

  /** The name index of a parse (built once per parse). */
  indexOf(parsed: ParsedFile): FileIndex {
    const entry = parsed as ParsedEntry;
    entry.index ??= indexFile(parsed.source.path, parsed.ast);
    return entry.index;
  }

  private searchedFiles(): string[] {
    const files = new Set(this.documents.keys());
    for (const file of this.host.workspaceFiles?.() ?? []) files.add(file);
    return [...files];
  }

  // -------------------------------------------------------------------------------------------
  // Checking

  /**
   * The checked program with the document as its root, exactly as `teamc check <file>` would
   * check it, but reading open documents before the disk. Reused while nothing it read changed.
   */
  check(filePath: string): CheckedProgram {
    const cached = this.analyses.get(filePath);
    if (cached !== undefined && [...cached.reads].every(([file, text]) => this.read(file) === text)) return cached.checked;

    const reads = new Map<string, string | undefined>();
    const host: CompilerHost = {
      readFile: (file) => {
        const text = this.read(file);
        reads.set(file, text);
        return text;
      },
    };
    const checked = checkFiles([filePath], host);
    // The program parsed every file it loaded: keep those parses for hover, definition, completion.
    for (const [file, loaded] of checked.program.files) {
      const current = this.parsed.get(file);
      if (current === undefined || current.source.text !== loaded.source.text) this.parsed.set(file, { source: loaded.source, ast: loaded.ast });
    }
    this.analyses.set(filePath, { reads, checked });
    if (!checked.diagnostics.some((diagnostic) => diagnostic.code === 'T100' && diagnostic.file === filePath)) this.cleanChecks.set(filePath, checked);
    return checked;
  }

  /** The last check of a document in which it parsed without errors. */
  lastCleanCheck(filePath: string): CheckedProgram | undefined {
    return this.cleanChecks.get(filePath);
  }

  /** The last checked program of a document, if it was checked. */
  lastCheck(filePath: string): CheckedProgram | undefined {
    return this.analyses.get(filePath)?.checked;
  }

  /** Open documents whose check read `filePath` (so must be checked again when it changes), itself included. */
  dependents(filePath: string): string[] {
    const result: string[] = [];
    for (const document of this.documents.values()) {
      if (document.path === filePath || this.analyses.get(document.path)?.reads.has(filePath)) result.push(document.path);
    }
    return result;
  }
}
