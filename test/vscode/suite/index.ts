import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** The extension-host test entry point (`--extensionTestsPath`): runs every `*.spec.js` next to it with mocha. */
export function run(): Promise<void> {
  // BTP_VSCODE_GREP runs the specs whose titles match (while working on one); CI runs them all.
  const grep = process.env.BTP_VSCODE_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, ...(grep ? { grep } : {}) });
  for (const file of readdirSync(__dirname).sort()) if (file.endsWith('.spec.js')) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      // The harness reads this line; it is also what a person scanning a CI log looks for.
      console.log(`extension host: ${stats?.passes ?? 0} passed, ${stats?.failures ?? 0} failed, ${stats?.pending ?? 0} skipped`);
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
  });
}
