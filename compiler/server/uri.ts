/**
 * Document URIs ↔ file paths. The compiler speaks file paths; the editor speaks URIs. A document
 * that is not a file (`untitled:Untitled-1`) keeps its URI as its path: it is never on disk, so
 * nothing ever resolves an import against it except relative to the working directory.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) return path.resolve(fileURLToPath(uri));
  return uri;
}

export function pathToUri(filePath: string): string {
  return path.isAbsolute(filePath) ? pathToFileURL(filePath).href : filePath;
}
