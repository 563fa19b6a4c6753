import { runTests } from '@vscode/test-electron';
import { buildSuite } from './harness/extensionHost';
import { repoRoot } from './harness/codeServer';

// The same in-host suite on desktop VS Code, downloaded by @vscode/test-electron (machines with access to
// update.code.visualstudio.com). Here, where it cannot be downloaded, test/vscode/extensionHost.test.ts runs the
// suite in code-server instead. Usage: npm run test:electron [-- <vscode version>, default: stable]

async function main(): Promise<void> {
  const extensionTestsPath = await buildSuite();
  await runTests({
    version: process.argv[2] ?? 'stable',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
