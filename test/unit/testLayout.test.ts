import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

// test/unit mirrors the code it tests, so that the unit test of src/**/foo.ts is found without searching:
// test/unit/<path>/foo.test.ts, or foo.<aspect>.test.ts when one module has several (validate.rules, validate.safety).
// test/unit/webview/… mirrors webview/src/…, test/unit/bench/… mirrors bench/…. Tests of the project as a whole
// are on the list below, each with why it belongs to no one file.

const root = join(__dirname, '..', '..');

const crossCutting: Record<string, string> = {
  'test/unit/ciWorkflow.test.ts': '.github/workflows/ci.yml: its matrix, Node lines, suites and npm scripts',
  'test/unit/layout.test.ts': 'the lint rule that only src/extension imports vscode, for every layer',
  'test/unit/testLayout.test.ts': 'this check: every unit test mirrors a source file or is listed here',
  'test/unit/lint/layers.test.ts': 'a forbidden import fails lint in every layer (scripts/lint/layers.mjs over all of src)',
  'test/unit/lint/folderCycles.test.ts': 'no folder cycle in any layer (scripts/lint/folderGraph.mjs over all of src)',
  'test/unit/extension/l10n.test.ts': 'every vscode.l10n.t string of src/extension is in l10n/bundle.l10n.json',
  'test/unit/extension/manifest.test.ts': 'package.json contributions against the command ids, views and settings in code',
  'test/unit/core/destinations/tables.test.ts':
    'the tables of authentication, destinationTypes and properties against each other; no Node module in the folder',
};

/** The source files a unit test path may mirror, in the order they are tried. */
function mirrorCandidates(testPath: string): string[] {
  const rest = testPath.replace(/^test\/unit\//, '').replace(/\.test\.ts$/, '');
  const [first, ...others] = rest.split('/');
  const name = others.length ? others.pop() : undefined;
  const folder = others.join('/');
  // foo.<aspect> → foo; the aspect is a dot-separated suffix of the file name.
  const module = (name ?? first ?? '').split('.')[0];
  if (first === 'webview') return [join('webview/src', folder, `${module}.ts`)];
  if (first === 'bench') return [join('bench', folder, `${module}.ts`)];
  const inner = name === undefined ? module : join(first ?? '', folder, module ?? '');
  return [`src/${inner}.ts`];
}

/** Unit tests that mirror no source file and are not on the cross-cutting list. */
function strayTests(testPaths: readonly string[], exists: (path: string) => boolean): string[] {
  return testPaths.filter((path) => !(path in crossCutting) && !mirrorCandidates(path).some(exists));
}

function unitTests(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return unitTests(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

describe('test/unit mirrors src', () => {
  const tests = unitTests(join(root, 'test/unit'));
  const exists = (path: string) => existsSync(join(root, path));

  it('every unit test is foo.test.ts or foo.<aspect>.test.ts at the path of its source file, or a listed cross-cutting test', () => {
    assert.ok(tests.length > 60, `only ${tests.length} unit tests found`);
    assert.deepEqual(strayTests(tests, exists), []);
  });

  it('the cross-cutting list names only tests that exist and mirror no source file', () => {
    for (const path of Object.keys(crossCutting)) {
      assert.ok(tests.includes(path), `${path} is listed but does not exist`);
      assert.ok(!mirrorCandidates(path).some(exists), `${path} mirrors ${mirrorCandidates(path).join(', ')}: take it off the list`);
    }
  });

  it('maps a test to its source: plain, with an aspect, in webview/ and bench/', () => {
    assert.deepEqual(mirrorCandidates('test/unit/core/forward/route.test.ts'), ['src/core/forward/route.ts']);
    assert.deepEqual(mirrorCandidates('test/unit/core/destinations/validate.rules.test.ts'), ['src/core/destinations/validate.ts']);
    assert.deepEqual(mirrorCandidates('test/unit/sandbox/onPremise/gateway/index.test.ts'), ['src/sandbox/onPremise/gateway/index.ts']);
    assert.deepEqual(mirrorCandidates('test/unit/webview/model/formModel.test.ts'), ['webview/src/model/formModel.ts']);
    assert.deepEqual(mirrorCandidates('test/unit/bench/publish.test.ts'), ['bench/publish.ts']);
  });

  it('finds a test in the wrong folder, a misspelt one and one whose source is gone', () => {
    const present = new Set(['src/core/forward/route.ts', 'src/core/http/trust.ts']);
    const stray = strayTests(
      [
        'test/unit/core/forward/route.test.ts',
        'test/unit/core/machineTrust.test.ts',
        'test/unit/core/forward/rout.test.ts',
        'test/unit/core/http/trust.windows.test.ts',
        'test/unit/core/gone.test.ts',
        'test/unit/layout.test.ts',
      ],
      (path) => present.has(path),
    );
    assert.deepEqual(stray, ['test/unit/core/machineTrust.test.ts', 'test/unit/core/forward/rout.test.ts', 'test/unit/core/gone.test.ts']);
  });
});
