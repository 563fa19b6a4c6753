import { cacheCompiledCode } from '../compileCache';
import { connectEarly } from '../earlyConnection';
import { ExitCode } from '../exitCodes';
import { unsupportedNode } from '../nodeVersion';

// The bundle's entry (dist/cli.js): the Node check runs before main (and undici with it) is loaded, and main is a
// bundle of its own (dist/cli-main.js) so that V8's code cache, enabled here, covers it.
const problem = unsupportedNode(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = ExitCode.Failure;
} else {
  cacheCompiledCode(process.env);
  // The saved connection's Destination service is reached while the CLI loads (see earlyConnection.ts). Node
  // issues the connect on the next tick: main is loaded on the one after, so the handshake runs during the load.
  connectEarly(process.argv.slice(2), process.env);
  // require, not import(): an import() of a CommonJS file has Node lex all 2 MB of it for named exports (~120 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  process.nextTick(() => require('./main'));
}
