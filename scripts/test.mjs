// Runs the node:test suites with TypeScript loaded through tsx. Node 20's --test takes files, not globs,
// so this script finds them. Usage: node scripts/test.mjs [unit|integration|keychain ...]
// Keychain suites need a Secret Service; they run inside test/support/with-keyring.sh when dbus-run-session
// and gnome-keyring-daemon exist, and are reported as skipped otherwise (REQUIRE_KEYCHAIN=1 makes that fatal).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'keychain'];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  }).sort();
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`];
let failed = false;
for (const suite of suites) {
  const files = findTests(join(root, 'test', suite));
  if (files.length === 0) continue;
  let command = [process.execPath, ...nodeArgs, ...files];
  if (suite === 'keychain') {
    if (!hasCommand('dbus-run-session') || !hasCommand('gnome-keyring-daemon')) {
      const message = `keychain suite skipped: dbus-run-session and gnome-keyring-daemon are needed (apt-get install dbus gnome-keyring)`;
      if (process.env.REQUIRE_KEYCHAIN === '1') { console.error(message); failed = true; continue; }
      console.log(`# ${message}`);
      continue;
    }
    command = [join(root, 'test/support/with-keyring.sh'), ...command];
  }
  console.log(`\n# suite: ${suite} (${files.length} files)`);
  const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', cwd: root, env: process.env });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
