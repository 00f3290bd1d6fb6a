#!/usr/bin/env node
// The CLI runs compiled JavaScript from dist/ (built by `npm ci` through `prepare`).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `teamc: needs Node 22 or 24; this is Node ${process.versions.node}.\n` +
      'teamc: get one from the npm registry: npm i --prefix .toolchain --no-save node@22 && export PATH="$PWD/.toolchain/node_modules/.bin:$PATH"\n',
  );
  process.exit(2);
}
const { main } = await import('../dist/compiler/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
