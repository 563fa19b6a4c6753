// Writes l10n/bundle.l10n.json: every message the extension passes to vscode.l10n.t, the English source that
// translations (bundle.l10n.<locale>.json) start from. The same job as `npx @vscode/l10n-dev export src/extension`,
// with the TypeScript parser the build already has. Run after changing a message: node scripts/l10n-export.mjs
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every `l10n.t(…)` call under src/extension: its message, where it is, how many arguments it gets, and a problem
 * when the message is not a literal (a translator's tool could not find it) or its `{n}` placeholders do not
 * match the arguments.
 */
export function l10nCalls() {
  const calls = [];
  for (const file of sources(join(root, 'src', 'extension'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && /(^|\.)l10n\.t$/.test(node.expression.getText(source))) {
        const [first, ...args] = node.arguments;
        const where = `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
        if (!first || !(ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)))
          calls.push({ where, problem: 'the message is not a string literal' });
        else {
          const indices = [...first.text.matchAll(/\{(\d+)\}/g)].map((match) => Number(match[1]));
          const needed = indices.length === 0 ? 0 : Math.max(...indices) + 1;
          calls.push({ where, message: first.text, ...(needed === args.length ? {} : { problem: `${needed} placeholder(s), ${args.length} argument(s)` }) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

/** The bundle's content: each message keyed by itself, sorted (stable diffs). */
export function bundle() {
  const messages = [
    ...new Set(
      l10nCalls()
        .filter((call) => call.message !== undefined)
        .map((call) => call.message),
    ),
  ].sort();
  return Object.fromEntries(messages.map((message) => [message, message]));
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const problems = l10nCalls().filter((call) => call.problem);
  for (const call of problems) console.error(`${call.where}: ${call.problem}`);
  if (problems.length > 0) process.exit(1);
  const messages = bundle();
  writeFileSync(join(root, 'l10n', 'bundle.l10n.json'), `${JSON.stringify(messages, null, 2)}\n`);
  console.log(`l10n/bundle.l10n.json: ${Object.keys(messages).length} messages`);
}
