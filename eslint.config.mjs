import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layersPlugin } from './scripts/lint/layers.mjs';

const noVscode = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'vscode', message: 'Only src/extension may import vscode: core, sandbox, protocol and CLI run without VS Code.' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'test-results/**', 'node_modules/**', '.sandbox/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['src/**', 'webview/**'], plugins: { layers: layersPlugin }, rules: { 'layers/allowed-imports': 'error' } },
  { files: ['src/core/**', 'src/sandbox/**', 'src/protocol/**', 'src/words/**', 'src/cli/**'], rules: noVscode },
  // undici's index loads fetch, WebSocket, caches and mocks at start; the dispatchers come from src/core/http/undici.ts.
  {
    files: ['src/**'],
    ignores: ['src/core/http/undiciModules.d.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'undici', allowTypeImports: true, message: 'Take undici values from src/core/http/undici.ts (its index costs every start ~17 ms).' }],
        },
      ],
    },
  },
  { files: ['webview/**'], languageOptions: { globals: { ...globals.browser } }, rules: noVscode },
  // The CLI, scripts, tests and benchmarks talk to the terminal on purpose.
  { files: ['scripts/**', 'test/**', 'bench/**'], rules: { 'no-console': 'off' } },
);
