// The layers the build enforces (docs/architecture.md): which top-level folder may import which. A relative
// import is resolved against the importing file, so `../../sandbox/x` from src/core is caught however it is spelled.
import { dirname, relative, resolve, sep } from 'node:path';

/** Each layer and the layers it may import (its own always included). */
export const allowedImports = {
  'src/core': [],
  'src/sandbox': ['src/core'],
  'src/protocol': ['src/core'],
  'src/words': ['src/core'],
  'src/cli': ['src/core', 'src/sandbox', 'src/protocol', 'src/words'],
  'src/extension': ['src/core', 'src/sandbox', 'src/protocol', 'src/words'],
  webview: ['src/protocol', 'src/words'],
};

const layers = Object.keys(allowedImports);

function layerOf(root, file) {
  const path = relative(root, file).split(sep).join('/');
  return layers.find((layer) => path === layer || path.startsWith(`${layer}/`));
}

/** ESLint rule `layers/allowed-imports`: reports an import (static, dynamic, re-export) that crosses a layer the wrong way. */
const allowedImportsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layers: core ← sandbox, protocol, words ← cli, extension; webview ← protocol, words.' },
    schema: [],
    messages: { forbidden: '{{from}} may not import {{to}} (allowed: {{allowed}}). Move the shared code down a layer; see docs/architecture.md.' },
  },
  create(context) {
    const root = context.cwd;
    const from = layerOf(root, context.filename);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = layerOf(root, resolve(dirname(context.filename), source));
      if (!to || to === from || allowedImports[from].includes(to)) return;
      context.report({ node, messageId: 'forbidden', data: { from, to, allowed: allowedImports[from].join(', ') || 'nothing outside itself' } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const layersPlugin = { rules: { 'allowed-imports': allowedImportsRule } };
