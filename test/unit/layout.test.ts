import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The layout rule of the project: only src/extension may import vscode.

const root = join(__dirname, '..', '..');
const source = "import * as vscode from 'vscode';\nexport const x = vscode;\n";

describe('lint: vscode imports', () => {
  const eslint = new ESLint({ cwd: root });
  for (const folder of ['src/core', 'src/sandbox', 'src/protocol', 'src/cli', 'webview/src']) {
    it(`refuses a vscode import in ${folder}`, async () => {
      const [result] = await eslint.lintText(source, { filePath: join(root, folder, 'probe.ts') });
      assert.ok(
        result?.messages.some((message) => message.ruleId === 'no-restricted-imports'),
        JSON.stringify(result?.messages),
      );
    });
  }
  it('allows it in src/extension', async () => {
    const [result] = await eslint.lintText(source, { filePath: join(root, 'src/extension/probe.ts') });
    assert.deepEqual(
      result?.messages.filter((message) => message.ruleId === 'no-restricted-imports'),
      [],
    );
  });
});
