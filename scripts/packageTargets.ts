// The VS Code targets we build a .vsix for, and which @napi-rs/keyring binary package each one needs. Shared by
// scripts/packageAll.ts and the package tests, so that the check and the build cannot disagree.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageTarget {
  /** `vsce package --target` value. */
  readonly target: string;
  /** What `process.platform` / `process.arch` say on that target. */
  readonly platform: 'win32' | 'darwin' | 'linux';
  readonly arch: 'x64' | 'arm64' | 'arm';
  /** Linux C library: VS Code's alpine targets run on musl. */
  readonly libc?: 'glibc' | 'musl';
  /** napi-rs triple: the binary package is `@napi-rs/keyring-<triple>`, its file `keyring.<triple>.node`. */
  readonly triple: string;
}

export const packageTargets: readonly PackageTarget[] = [
  { target: 'win32-x64', platform: 'win32', arch: 'x64', triple: 'win32-x64-msvc' },
  { target: 'win32-arm64', platform: 'win32', arch: 'arm64', triple: 'win32-arm64-msvc' },
  { target: 'darwin-x64', platform: 'darwin', arch: 'x64', triple: 'darwin-x64' },
  { target: 'darwin-arm64', platform: 'darwin', arch: 'arm64', triple: 'darwin-arm64' },
  { target: 'linux-x64', platform: 'linux', arch: 'x64', libc: 'glibc', triple: 'linux-x64-gnu' },
  { target: 'linux-arm64', platform: 'linux', arch: 'arm64', libc: 'glibc', triple: 'linux-arm64-gnu' },
  { target: 'linux-armhf', platform: 'linux', arch: 'arm', libc: 'glibc', triple: 'linux-arm-gnueabihf' },
  { target: 'alpine-x64', platform: 'linux', arch: 'x64', libc: 'musl', triple: 'linux-x64-musl' },
];

export const repoRoot = join(__dirname, '..');

/** The version of the installed @napi-rs/keyring: its binary packages must be exactly this version. */
export function keyringVersion(root = repoRoot): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/@napi-rs/keyring/package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The folder of `@napi-rs/keyring-<triple>@<version>` as published (package.json and the .node file), fetched
 * with `npm pack` into `cacheDir` once and reused. Never an `npm install`: node_modules is not touched.
 */
export function fetchKeyringBinaryPackage(triple: string, version: string, cacheDir: string): string {
  const folder = join(cacheDir, `keyring-${triple}-${version}`);
  if (existsSync(join(folder, 'package.json'))) return folder;
  mkdirSync(cacheDir, { recursive: true });
  const spec = `@napi-rs/keyring-${triple}@${version}`;
  const packed = JSON.parse(
    execFileSync(npmCommand(), ['pack', spec, '--json', '--pack-destination', cacheDir], {
      cwd: cacheDir,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    }),
  ) as { filename: string }[];
  const tarball = join(cacheDir, packed[0]?.filename ?? '');
  // Extract beside, then rename: an interrupted extraction never looks like a cached package.
  const partial = `${folder}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1']);
  rmSync(tarball);
  renameSync(partial, folder);
  return folder;
}

export function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}
