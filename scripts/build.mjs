// Bundles the entry points with esbuild: the extension host (CJS, `vscode` external), the CLI (CJS with
// a shebang) and the webviews (browser IIFEs: editor, traffic inspector). Native modules stay external and ship in node_modules.
// Usage: node scripts/build.mjs [--watch] [--production] [--cli-only --outdir <folder>]
// (--cli-only: the CLI alone, e.g. the production CLI the bench starts, in a folder of its own)
import * as esbuild from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const cliOnly = process.argv.includes('--cli-only');
const outdir = process.argv.includes('--outdir') ? process.argv[process.argv.indexOf('--outdir') + 1] : 'dist';
if (outdir === undefined || outdir.startsWith('-') || (outdir !== 'dist' && !cliOnly)) throw new Error('--outdir <folder> goes with --cli-only');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
// smtp-server ships a pregenerated localhost key and certificate as TLS defaults. The sandbox's mail server never
// speaks TLS (STARTTLS disabled, not `secure`), so they would only be a known private key in our bundles, which
// vsce 4's secret scan rightly refuses to package: the bundles get smtp-server's defaults without key and cert.
const withoutSmtpDemoKey = {
  name: 'smtp-server-without-demo-key',
  setup(build) {
    build.onLoad({ filter: /[\\/]smtp-server[\\/]dist[\\/](?:cjs|esm)[\\/]tls-options\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const stripped = source.replace(/^ {4}key: (?:'[^']*'(?: \+)?\s*)+,\n/m, '').replace(/^ {4}cert: (?:'[^']*'(?: \+)?\s*)+,\n/m, '');
      if (stripped === source || /BEGIN [A-Z ]*PRIVATE KEY/.test(stripped))
        throw new Error(`${path}: smtp-server's demo key is not where the build expects it; update scripts/build.mjs`);
      return { contents: stripped, loader: 'js' };
    });
  },
};
// The entry's `require('./main')` loads dist/cli-main.js at run time instead of bundling main into dist/cli.js.
const cliMainApart = {
  name: 'cli-main-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/main$/ }, ({ importer }) =>
      /[\\/]cli[\\/]app[\\/]entry\.ts$/.test(importer) ? { path: './cli-main.js', external: true } : undefined,
    );
  },
};
const nodeTarget = { ...common, platform: 'node', target: 'node22', format: 'cjs', external: ['vscode', '@napi-rs/keyring'], plugins: [withoutSmtpDemoKey] };

const cli = [
  // dist/cli.js is the small entry (Node check, code cache), dist/cli-main.js the CLI it loads.
  {
    ...nodeTarget,
    entryPoints: ['src/cli/app/entry.ts'],
    outfile: join(outdir, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
    plugins: [withoutSmtpDemoKey, cliMainApart],
  },
  { ...nodeTarget, entryPoints: ['src/cli/app/main.ts'], outfile: join(outdir, 'cli-main.js') },
];
const builds = cliOnly
  ? cli
  : [
      { ...nodeTarget, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
      ...cli,
      { ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview/main.js' },
      { ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['webview/src/inspectorMain.ts'], outfile: 'dist/webview/inspector.js' },
    ];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build({ ...options, metafile: true })));
  // undici's index (fetch, WebSocket, caches, mocks) would cost every CLI start ~17 ms: src/core/http/undici.ts takes
  // the dispatchers one by one. A new import of the index, here or in a dependency, fails the build.
  for (const { metafile } of results) {
    for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
      if (inputs['node_modules/undici/index.js']) throw new Error(`${output} bundles undici's index: import from src/core/http/undici.ts instead`);
    }
  }
  chmodSync(join(outdir, 'cli.js'), 0o755);
}
if (!cliOnly) {
  // The stylesheet is served as a file: the webview's CSP allows styles from the extension only, never inline.
  mkdirSync('dist/webview', { recursive: true });
  // Each page's stylesheet is page.css (what all pages share) followed by its own.
  for (const page of ['editor', 'inspector']) {
    writeFileSync(`dist/webview/${page}.css`, readFileSync('webview/src/page.css', 'utf8') + readFileSync(`webview/src/${page}.css`, 'utf8'));
  }
}
