// `npm run pack:cli`: the btp-connect CLI as an npm package (dist/btp-connect-<version>.tgz) that installs into an
// empty folder with no build step and no dev dependencies: `npm install ./btp-connect-<version>.tgz`.
// Usage: node --import tsx scripts/packCli.ts [--out <folder>] [--no-build]
//
// Why a package folder of its own (dist/cli-package, generated here) rather than `npm pack` of the repository:
// the root package.json is the VS Code extension's manifest. Its `dependencies` are what the bundles were built
// from (undici, smtp-server, tough-cookie are inside dist/cli.js already), so installing them would only cost
// time; its `contributes`, `activationEvents` and `engines.vscode` mean nothing to npm. The CLI's manifest needs
// just the bundle, its one external (the keyring loader, whose optional per-platform packages npm picks by os,
// cpu and libc), `bin`, `files` and `engines`.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { keyringVersion, npmCommand, repoRoot } from './packageTargets';

interface RootManifest {
  version: string;
  license: string;
  repository: unknown;
  engines: { node: string };
  keywords?: string[];
}

export interface PackedCli {
  readonly tarball: string;
  readonly bytes: number;
  /** The generated package.json. */
  readonly manifest: Record<string, unknown>;
}

/** The CLI package's manifest, from the root manifest: same version, licence and Node range. */
export function cliManifest(root: RootManifest, keyring: string): Record<string, unknown> {
  return {
    name: 'btp-connect',
    version: root.version,
    description:
      'SAP BTP destinations from the terminal: keychain-held connections, local port-forwards (Internet and on-premise through the connectivity proxy and Cloud Connector), hop-by-hop checks, and an offline sandbox of the BTP side.',
    license: root.license,
    repository: root.repository,
    keywords: root.keywords ?? [],
    bin: { 'btp-connect': 'cli.js' },
    files: ['cli.js', 'cli-main.js', 'README.md', 'LICENSE'],
    engines: { node: root.engines.node },
    // Exactly the version the bundle was tested with: its optionalDependencies are the per-platform binaries
    // (@napi-rs/keyring-<platform>), all of the same version, and npm installs the one matching this machine.
    dependencies: { '@napi-rs/keyring': keyring },
  };
}

export function packCli(options: { outDir: string; build?: boolean }): PackedCli {
  const { outDir, build = true } = options;
  if (build) execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production'], { cwd: repoRoot, stdio: 'inherit' });
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as RootManifest;
  const manifest = cliManifest(root, keyringVersion());
  const stage = join(outDir, 'cli-package');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  cpSync(join(repoRoot, 'dist', 'cli.js'), join(stage, 'cli.js'));
  chmodSync(join(stage, 'cli.js'), 0o755);
  cpSync(join(repoRoot, 'dist', 'cli-main.js'), join(stage, 'cli-main.js'));
  cpSync(join(repoRoot, 'LICENSE'), join(stage, 'LICENSE'));
  writeFileSync(join(stage, 'README.md'), cliReadme(readFileSync(join(repoRoot, 'README.md'), 'utf8'), root.version));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const packed = JSON.parse(
    execFileSync(npmCommand(), ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8', shell: process.platform === 'win32' }),
  ) as { filename: string; size: number }[];
  const entry = packed[0];
  if (!entry) throw new Error('npm pack reported no tarball');
  return { tarball: join(outDir, entry.filename), bytes: entry.size, manifest };
}

/** The npm page: how to install and start, and the command overview of the repository README. */
function cliReadme(readme: string, version: string): string {
  const overview = (/## The CLI\n\n(```\n[\s\S]*?\n```)/.exec(readme)?.[1] ?? '').replace(' (above)', '');
  return `# btp-connect

SAP BTP destinations from the terminal, and an offline sandbox of the BTP side. The CLI of BTP Connect (also a
VS Code extension); connections it saves are shared with the extension, their secrets live in the OS keychain.

\`\`\`
npm install -g ./btp-connect-${version}.tgz   # or in a project: npm install <tarball> && npx btp-connect --help
btp-connect sandbox --demo          # the emulated BTP side on 127.0.0.1, with demo forwards
btp-connect <command> --help        # a manual page per command
source <(btp-connect completion bash)   # also zsh, fish, powershell
\`\`\`

${overview}

The OS keychain is reached through \`@napi-rs/keyring\`; npm installs its binary for this machine (Windows x64/arm64,
macOS x64/arm64, Linux x64/arm64/armv7 with glibc, Linux x64/arm64 with musl). Elsewhere commands that need a
saved secret exit with code 8; \`--key <file>\` still works.
`;
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' } } });
  const packed = packCli({ outDir: values.out ?? join(repoRoot, 'dist'), build: !values['no-build'] });
  console.log(`${packed.tarball}  ${(packed.bytes / 1024).toFixed(0)} KB`);
}

if (require.main === module) main();
