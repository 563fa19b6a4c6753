import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
// @ts-expect-error: a plain ES module script without types
import { bundle, l10nCalls } from '../../../scripts/l10n-export.mjs';

// Runtime messages of the extension are localisable: each goes through vscode.l10n.t with a literal message whose
// {n} placeholders match its arguments, l10n/bundle.l10n.json holds exactly those messages (English, complete),
// and no notification, prompt or title is passed as a bare literal.

const root = join(__dirname, '..', '..', '..');

interface Call {
  where: string;
  message?: string;
  problem?: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Literals shown to users without vscode.l10n.t: notification texts and buttons, titles, prompts, placeholders.
 * Modules that do not import vscode (pure, unit-tested without VS Code, such as tunnelStatusText) cannot use it.
 */
function bareLiterals(): string[] {
  const found: string[] = [];
  const hasWords = (node: ts.Node): boolean =>
    (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) &&
    /[A-Za-z]{2}/.test(ts.isTemplateExpression(node) ? node.head.text + node.templateSpans.map((span) => span.literal.text).join('') : node.text);
  for (const file of sources(join(root, 'src', 'extension'))) {
    const text = readFileSync(file, 'utf8');
    if (!/^import \* as vscode from 'vscode';$/m.test(text)) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const report = (node: ts.Node) =>
      found.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${node.getText(source).slice(0, 60)}`);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        /^show(Information|Warning|Error)Message$/.test(node.expression.name.text)
      ) {
        for (const argument of node.arguments) if (hasWords(argument)) report(argument);
      }
      if (
        ts.isPropertyAssignment(node) &&
        ts.isIdentifier(node.name) &&
        ['title', 'prompt', 'placeHolder', 'openLabel', 'tooltip'].includes(node.name.text) &&
        hasWords(node.initializer)
      )
        report(node.initializer);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('localisation of runtime messages', () => {
  it('every vscode.l10n.t call has a literal message whose placeholders match its arguments', () => {
    const calls = l10nCalls() as Call[];
    assert.ok(calls.length > 150, `${calls.length} calls`);
    assert.deepEqual(
      calls.filter((call) => call.problem).map((call) => `${call.where}: ${call.problem}`),
      [],
    );
  });

  it('l10n/bundle.l10n.json holds exactly the messages of the code (node scripts/l10n-export.mjs writes it)', () => {
    const committed = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
    const wanted = bundle() as Record<string, string>;
    assert.deepEqual(
      Object.keys(wanted).filter((message) => !(message in committed)),
      [],
      'messages missing from the bundle',
    );
    assert.deepEqual(
      Object.keys(committed).filter((message) => !(message in wanted)),
      [],
      'messages in the bundle the code no longer has',
    );
    for (const [message, english] of Object.entries(committed)) assert.equal(english, message);
  });

  it('no notification, button, title, prompt, placeholder or tooltip is a bare literal', () => {
    assert.deepEqual(bareLiterals(), []);
  });

  it('package.json points VS Code at the bundle folder', () => {
    assert.equal((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { l10n: string }).l10n, './l10n');
  });
});
