import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageAll, type BuiltPackage } from '../../scripts/packageAll';
import { packageTargets, repoRoot } from '../../scripts/packageTargets';
import { loadedBinary, loaderRequests, resolveIn } from '../support/napiLoader';
import { binaryKind } from '../support/nativeBinary';
import { openZip, type ZipFile } from '../support/zipReader';

// `npm run package:all` as the Marketplace gets it: every platform .vsix holds exactly one keyring binary, built
// for that platform, and the extension's own require('@napi-rs/keyring') reaches it on that platform (the
// loader's platform switch is run as that platform would run it). Packages the current dist/ (npm test builds it).

let out: string;
let built: BuiltPackage[];

before(async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'extension.js')), 'dist/extension.js is missing: run `npm run build` first');
  out = await mkdtemp(join(tmpdir(), 'btp-vsix-'));
  built = packageAll({ outDir: out, build: false });
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

const extensionMain = 'extension/dist/extension.js';

function files(zip: ZipFile): Set<string> {
  return new Set(zip.names);
}
function readJson(zip: ZipFile) {
  return (path: string) => JSON.parse(zip.read(path).toString('utf8')) as { main?: string };
}

/** The .node file the packaged extension would load on `target`, following its require chain. */
function binaryLoadedOn(zip: ZipFile, target: (typeof packageTargets)[number]): string | undefined {
  const loader = resolveIn(files(zip), readJson(zip), extensionMain, '@napi-rs/keyring');
  if (!loader) return undefined;
  const requests = loaderRequests(zip.read(loader).toString('utf8'), target);
  return loadedBinary(files(zip), readJson(zip), loader, requests);
}

describe('npm run package:all', () => {
  it('builds one package per target and a universal one, each declaring its target in the manifest', () => {
    assert.deepEqual(
      built.map((entry) => entry.target?.target ?? 'universal'),
      [...packageTargets.map((target) => target.target), 'universal'],
    );
    for (const { target, file, bytes } of built) {
      const manifest = openZip(file).read('extension.vsixmanifest').toString('utf8');
      const declared = /TargetPlatform="([^"]+)"/.exec(manifest)?.[1];
      assert.equal(declared, target?.target, `${file}: TargetPlatform`);
      console.log(`# ${(target?.target ?? 'universal').padEnd(13)} ${(bytes / 1024 / 1024).toFixed(2)} MiB`);
    }
  });

  it('the extension requires @napi-rs/keyring at run time (not bundled), as the layout below assumes', () => {
    const universal = openZip(built.at(-1)!.file);
    assert.match(universal.read(extensionMain).toString('utf8'), /require\(["']@napi-rs\/keyring["']\)/);
  });

  for (const target of packageTargets) {
    it(`${target.target}: exactly one keyring binary, ${target.platform}/${target.arch}${target.libc ? `/${target.libc}` : ''} by its header, and the one extension.js loads there`, () => {
      const zip = openZip(built.find((entry) => entry.target === target)!.file);
      const binaries = zip.names.filter((name) => name.endsWith('.node'));
      assert.equal(binaries.length, 1, `binaries: ${binaries.join(', ')}`);
      const binary = binaries[0]!;
      assert.ok(binary.endsWith(`/keyring.${target.triple}.node`), binary);
      const kind = binaryKind(zip.read(binary));
      assert.equal(kind.platform, target.platform, `${binary}: format ${kind.format}`);
      assert.equal(kind.arch, target.arch, `${binary}: CPU`);
      if (target.platform === 'linux') assert.equal(kind.libc, target.libc, `${binary}: C library`);
      assert.equal(binaryLoadedOn(zip, target), binary, 'the loader on that target reaches the packaged binary');
      // …and only there: a package for glibc must not pass for musl, nor x64 for arm64.
      for (const other of packageTargets.filter((candidate) => candidate.triple !== target.triple)) {
        assert.equal(binaryLoadedOn(zip, other), undefined, `${other.target} would load ${binary}`);
      }
    });
  }

  it('universal: no binary and no keyring loader (the extension falls back to SecretStorage)', () => {
    const zip = openZip(built.at(-1)!.file);
    assert.deepEqual(
      zip.names.filter((name) => name.endsWith('.node') || name.includes('node_modules/')),
      [],
    );
    assert.ok(zip.has(extensionMain));
    assert.ok(zip.has('extension/dist/webview/main.js'));
  });
});
