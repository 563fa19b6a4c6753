import { posix } from 'node:path';
import { runInNewContext } from 'node:vm';

export interface LoaderPlatform {
  readonly platform: string;
  readonly arch: string;
  readonly libc?: 'glibc' | 'musl';
}

/**
 * The modules a napi-rs generated loader (`@napi-rs/keyring`'s index.js) asks `require` for, in order, when it
 * runs on `target`: it is run in a VM whose `process` says that platform and whose `require` records each request
 * and fails it, so the loader goes through its whole platform switch. Musl is detected as the loader does it, from
 * /usr/bin/ldd's text.
 */
export function loaderRequests(source: string, target: LoaderPlatform): string[] {
  const requested: string[] = [];
  const fakeRequire = (id: string): unknown => {
    if (id === 'fs') {
      return {
        readFileSync: (path: string) => {
          if (path === '/usr/bin/ldd' && target.platform === 'linux') return target.libc === 'musl' ? 'musl libc (x86_64)' : 'ldd (GNU libc)';
          throw new Error(`ENOENT: ${path}`);
        },
      };
    }
    if (id === 'child_process') return { execSync: () => (target.libc === 'musl' ? 'musl libc' : 'ldd (GNU libc)') };
    requested.push(id);
    throw new Error(`Cannot find module '${id}'`);
  };
  const module = { exports: {} };
  const fakeProcess = { platform: target.platform, arch: target.arch, env: {}, config: { variables: {} }, versions: { node: '22.0.0' } };
  try {
    runInNewContext(source, {
      require: fakeRequire,
      module,
      exports: module.exports,
      process: fakeProcess,
      console: { warn: () => undefined, error: () => undefined },
    });
  } catch {
    // With nothing found, the loader ends by throwing: expected, the requests are what counts.
  }
  return requested;
}

/**
 * Node's resolution of `request` from the module in `fromFile`, over the file names of a package (posix paths):
 * a relative path as is, a package name through the node_modules folders above, then its package.json `main`.
 * Returns the file that would load, or undefined.
 */
export function resolveIn(files: ReadonlySet<string>, readJson: (path: string) => { main?: string }, fromFile: string, request: string): string | undefined {
  if (request.startsWith('./') || request.startsWith('../')) {
    const path = posix.join(posix.dirname(fromFile), request);
    return files.has(path) ? path : undefined;
  }
  for (let dir = posix.dirname(fromFile); ; dir = posix.dirname(dir)) {
    const packageDir = posix.join(dir, 'node_modules', request);
    const manifest = posix.join(packageDir, 'package.json');
    if (files.has(manifest)) {
      const main = posix.join(packageDir, readJson(manifest).main ?? 'index.js');
      for (const candidate of [main, `${main}.js`, posix.join(main, 'index.js')]) if (files.has(candidate)) return candidate;
      return undefined;
    }
    if (files.has(posix.join(dir, 'node_modules', `${request}.js`))) return posix.join(dir, 'node_modules', `${request}.js`);
    if (dir === '.' || dir === '/' || dir === posix.dirname(dir)) return undefined;
  }
}

/** The first of the loader's requests that resolves in the package: the binary it loads on that target. */
export function loadedBinary(
  files: ReadonlySet<string>,
  readJson: (path: string) => { main?: string },
  loaderFile: string,
  requests: readonly string[],
): string | undefined {
  for (const request of requests) {
    if (request.endsWith('/package.json')) continue;
    const resolved = resolveIn(files, readJson, loaderFile, request);
    if (resolved) return resolved;
  }
  return undefined;
}
