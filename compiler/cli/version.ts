import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package's version, read from the nearest package.json (source and dist alike). */
export const version: string = (() => {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'teamc' && pkg.version) return pkg.version;
    } catch {
      // not at this depth; try the next
    }
  }
  return '0.0.0';
})();
