// `npm run package:all`: one .vsix per VS Code target, each with exactly its own @napi-rs/keyring binary, plus a
// universal .vsix without one (the extension then keeps secrets in VS Code's SecretStorage and says so).
// Usage: node --import tsx scripts/packageAll.ts [--out <folder>] [--no-build] [--target <t>]...
//
// Each package is built from a staging folder: the files `vsce ls` admits for the extension (the .vscodeignore
// rules), and the keyring loader with one binary package in dist/node_modules/@napi-rs/, where dist/extension.js's
// require('@napi-rs/keyring') finds them. vsce runs there with --no-dependencies, so nothing depends on which
// binary package npm happened to install on this machine.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchKeyringBinaryPackage, keyringVersion, packageTargets, repoRoot, type PackageTarget } from './packageTargets';

export interface BuiltPackage {
  /** The VS Code target, or undefined for the universal package. */
  readonly target: PackageTarget | undefined;
  readonly file: string;
  readonly bytes: number;
}

export interface PackageAllOptions {
  readonly outDir: string;
  /** Defaults to every target in packageTargets. */
  readonly targets?: readonly PackageTarget[];
  readonly universal?: boolean;
  /** Where fetched keyring binary packages are kept between runs. */
  readonly cacheDir?: string;
  /** Skip the production build (the caller has built dist/ already). */
  readonly build?: boolean;
}

const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
/** The loader's own files; its .d.ts and keytar shim are not loaded at run time. */
const loaderFiles = ['package.json', 'index.js', 'LICENSE'];

export function packageAll(options: PackageAllOptions): BuiltPackage[] {
  const { outDir, targets = packageTargets, universal = true, cacheDir = join(repoRoot, '.cache', 'keyring'), build = true } = options;
  if (build) execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production'], { cwd: repoRoot, stdio: 'inherit' });
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const keyring = keyringVersion();
  const files = extensionFiles();
  mkdirSync(outDir, { recursive: true });
  const built: BuiltPackage[] = [];
  for (const target of [...targets, ...(universal ? [undefined] : [])]) {
    const stage = join(outDir, `.stage-${target?.target ?? 'universal'}`);
    rmSync(stage, { recursive: true, force: true });
    for (const file of files) cpSync(join(repoRoot, file), join(stage, file));
    writeFileSync(join(stage, '.vscodeignore'), '# Staged by scripts/packageAll.ts: every file here belongs in the package.\n');
    if (target) {
      const modules = join(stage, 'dist', 'node_modules', '@napi-rs');
      for (const file of loaderFiles) cpSync(join(repoRoot, 'node_modules', '@napi-rs', 'keyring', file), join(modules, 'keyring', file));
      cpSync(fetchKeyringBinaryPackage(target.triple, keyring, cacheDir), join(modules, `keyring-${target.triple}`), { recursive: true });
    }
    const file = join(outDir, `btp-connect-${target ? `${target.target}-` : ''}${version}.vsix`);
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', ...(target ? ['--target', target.target] : []), '--out', file], {
      cwd: stage,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    rmSync(stage, { recursive: true, force: true });
    built.push({ target, file, bytes: statSync(file).size });
  }
  return built;
}

/** What vsce would put in the .vsix from the repository without node_modules (the .vscodeignore rules). */
function extensionFiles(): string[] {
  const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
  return listed.split(/\r?\n/).filter((line) => line !== '');
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean' }, target: { type: 'string', multiple: true } } });
  const wanted = values.target;
  const unknown = wanted?.filter((name) => !packageTargets.some((target) => target.target === name));
  if (unknown?.length) throw new Error(`--target ${unknown.join(', ')}: not one of ${packageTargets.map((target) => target.target).join(', ')}`);
  const built = packageAll({
    outDir: values.out ?? join(repoRoot, 'dist', 'packages'),
    ...(wanted ? { targets: packageTargets.filter((target) => wanted.includes(target.target)), universal: false } : {}),
    build: !values['no-build'],
  });
  for (const { target, file, bytes } of built)
    console.log(`${(target?.target ?? 'universal').padEnd(13)} ${(bytes / 1024 / 1024).toFixed(2).padStart(6)} MiB  ${file}`);
}

if (require.main === module) main();
