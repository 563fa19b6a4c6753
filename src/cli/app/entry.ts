import { ExitCode } from '../exitCodes';
import { unsupportedNode } from '../nodeVersion';

// The bundle's entry: the Node check runs before main (and undici with it) is loaded.
const problem = unsupportedNode(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = ExitCode.Failure;
} else {
  void import('./main');
}
