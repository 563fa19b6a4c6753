import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { packCli, type PackedCli } from '../../scripts/packCli';
import { npmCommand, repoRoot } from '../../scripts/packageTargets';
import { processGroup } from '../support/processGroup';

// The CLI as a user gets it from npm: `npm pack` of the generated package, installed into an empty folder with no
// build step and no dev dependencies, then `npx btp-connect` runs --help, a sandbox, ls and a forward through it.
// Packs the current dist/cli.js (npm test builds it); dependencies come from the npm cache, else the registry.

const execFileAsync = promisify(execFile);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
let work: string;
let app: string;
let packed: PackedCli;
// A private config and state folder, no inherited tsx loader, and forwards without the shared-machine token.
let env: NodeJS.ProcessEnv;

before(async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` first');
  work = await mkdtemp(join(tmpdir(), 'btp-cli-package-'));
  app = join(work, 'app');
  env = {
    ...process.env,
    NODE_OPTIONS: '',
    BTP_CONNECT_CONFIG_DIR: join(work, 'config'),
    XDG_STATE_HOME: join(work, 'state'),
    BTP_CONNECT_LOCAL_TOKEN: 'off',
    npm_config_update_notifier: 'false',
  };
  packed = packCli({ outDir: work, build: false });
  await mkdir(app, { recursive: true });
  await writeFile(join(app, 'package.json'), '{ "name": "empty-app", "private": true }\n');
  await execFileAsync(npmCommand(), ['install', '--prefer-offline', '--no-audit', '--no-fund', packed.tarball], {
    cwd: app,
    env,
    shell: process.platform === 'win32',
  });
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

// `--no`: never fetch a btp-connect from the registry; `--`: the rest is the CLI's (npx would take --help itself).
const npxArgs = ['--no', '--', 'btp-connect'];
const run = (...args: string[]) => execFileAsync(npx, [...npxArgs, ...args], { cwd: app, env, shell: process.platform === 'win32' });
/** The bin link npm made: what npx runs, started directly where the CLI's own exit code matters. */
const bin = () => join(app, 'node_modules', '.bin', process.platform === 'win32' ? 'btp-connect.cmd' : 'btp-connect');

interface Running {
  readonly child: ChildProcess;
  /** Everything printed up to and including "Press Ctrl-C to stop.". */
  readonly ready: string;
  /**
   * Ctrl-C as a terminal sends it: SIGINT to the process group (npx, its shell, the CLI); resolves to the exit code
   * of the command started (npx ends by the signal itself, whatever the CLI's code) and all output.
   */
  stop(): Promise<{ code: number | null; output: string }>;
}

/** `command args` (npx or the bin) until it prints "Press Ctrl-C to stop." (no timers), in its own process group. */
async function start(command: string, args: string[]): Promise<Running> {
  const child = spawn(command, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const group = processGroup(child);
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ready = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) resolve(output);
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready:\n${output}`)));
  });
  return {
    child,
    ready,
    async stop() {
      const exited = once(child, 'exit');
      group.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      group.release();
      return { code, output };
    },
  };
}

describe('the CLI npm package', () => {
  it('packs the entry and the bundle, its README and licence, with bin, files, engines and the keyring as its only dependency, and no scripts', async () => {
    const manifest = packed.manifest as {
      bin: Record<string, string>;
      files: string[];
      engines: { node: string };
      dependencies: Record<string, string>;
      scripts?: unknown;
      devDependencies?: unknown;
    };
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
    assert.deepEqual(manifest.bin, { 'btp-connect': 'cli.js' });
    assert.deepEqual(manifest.files, ['cli.js', 'cli-main.js', 'README.md', 'LICENSE']);
    assert.equal(manifest.engines.node, root.engines.node);
    assert.deepEqual(Object.keys(manifest.dependencies), ['@napi-rs/keyring']);
    assert.equal(manifest.scripts, undefined, 'nothing runs at install');
    assert.equal(manifest.devDependencies, undefined);
    assert.match(packed.tarball, new RegExp(`btp-connect-${root.version.replace(/\./g, '\\.')}\\.tgz$`));
    console.log(`# ${packed.tarball.split(/[\\/]/).pop()}: ${(packed.bytes / 1024).toFixed(0)} KB`);
  });

  it("installs into an empty folder as the CLI, the keyring loader and this platform's keyring binary only", async () => {
    const scoped = readdirSync(join(app, 'node_modules', '@napi-rs'));
    const top = readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.') && name !== '@napi-rs');
    assert.deepEqual(top, ['btp-connect'], 'no other dependencies');
    assert.equal(scoped.length, 2, scoped.join(', '));
    assert.ok(scoped.includes('keyring'));
    assert.match(
      scoped.find((name) => name !== 'keyring') ?? '',
      new RegExp(`^keyring-${process.platform}-${process.arch}`),
      'the binary package of this machine',
    );
    // The loader finds it: the keychain is reachable by the installed CLI (whether a Secret Service runs is another matter).
    await execFileAsync(process.execPath, ['-e', "require('@napi-rs/keyring')"], { cwd: app, env });
  });

  it('npx btp-connect --help lists every command; <command> --help is its manual page', async () => {
    const { stdout } = await run('--help');
    for (const command of ['sandbox', 'ls', 'forward', 'check', 'completion']) assert.match(stdout, new RegExp(`\\n {2}${command} `), `${command}:\n${stdout}`);
    assert.match((await run('forward', '--help')).stdout, /^NAME\n {4}btp-connect forward - /);
  });

  it('npx btp-connect sandbox runs until ready; ls and forward from the package use it; Ctrl-C stops each', async () => {
    const sandbox = await start(npx, [...npxArgs, 'sandbox', '--dir', join(work, 'sandbox'), '--port-base', '0']);
    try {
      // Installed, the CLI names itself btp-connect in the lines it prints, and they work as printed.
      const lsLine = /^ {2}btp-connect (ls --key \S+)$/m.exec(sandbox.ready);
      assert.ok(lsLine, sandbox.ready);
      const key = lsLine[1]!.split(' ')[2]!;
      const { stdout: table } = await run('ls', '--key', key);
      assert.match(table, /^internet-basic +subaccount +HTTP +Internet +BasicAuthentication/m);

      const forward = await start(bin(), ['forward', 'internet-basic', '--key', key]);
      let stopped: { code: number | null; output: string } | undefined;
      try {
        const address = /^(http:\/\/127\.0\.0\.1:\d+)\s+→ internet-basic/m.exec(forward.ready)?.[1];
        assert.ok(address, forward.ready);
        const response = await request(`${address}/hello`);
        assert.equal(response.statusCode, 200);
        const echoed = (await response.body.json()) as { path: string; headers: Record<string, string> };
        assert.equal(echoed.path, '/internet-basic/hello', 'the destination URL and the request path');
        assert.match(echoed.headers.authorization ?? '', /^Basic /, "the forward injected the destination's credentials");
      } finally {
        stopped = await forward.stop();
      }
      assert.equal(stopped.code, 0, stopped.output);
    } finally {
      const { output } = await sandbox.stop();
      assert.match(output, /Sandbox stopped\.\n$/);
    }
  });
});
