import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../../src/core/bindings/types';
import { ConnectionStore } from '../../../src/core/connections/connectionStore';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { ExitCode } from '../../../src/cli/exitCodes';
import { runCli, type CliResult } from '../../support/cliHarness';
import { fakeGuid, startFakeCloud, type FakeCf, type FakeCloud } from '../../support/fakeCloudHarness';
import { CANARY_SECRET, connectivityKey, destinationKey } from '../../support/bindingFixtures';
import { noScriptTools } from '../../support/platform';

// `btp-connect tunnel setup --cf` and `tunnel remove` against a fake cf v8 that answers like the real one and records
// every command: the guided flow for each path, with the exact command sequence, and removal undoing exactly what
// was created.

let configDir: string;
let secrets: MemorySecretStore;
let cloud: FakeCloud;

const space = fakeGuid('space', 'dev');
const connectivityGuid = fakeGuid('service', 'my-connectivity');
const appGuid = (name: string) => fakeGuid('app', name);
const platform: FakeCf = {
  services: [
    { name: 'my-connectivity', offering: 'connectivity', plan: 'lite' },
    { name: 'my-xsuaa', offering: 'xsuaa', plan: 'application' },
  ],
  apps: [],
};

before(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'btp-tunnel-setup-cf-'));
  secrets = new MemorySecretStore();
  const store = new ConnectionStore(secrets, configDir);
  await store.add('dev', {
    destination: parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding,
    connectivity: parseCredentials(connectivityKey(), { expected: 'connectivity' }) as ConnectivityBinding,
  });
});
after(() => rm(configDir, { recursive: true, force: true }));
beforeEach(async () => {
  cloud = await startFakeCloud();
});
afterEach(async () => {
  await new ConnectionStore(secrets, configDir).setTunnel('dev', undefined);
  await cloud.close();
});

function tunnel(args: string[], options: { confirm?: (question: string) => Promise<boolean> } = {}): Promise<CliResult> {
  return runCli(['tunnel', ...args, '--connection', 'dev'], { cwd: configDir, env: { ...cloud.env, BTP_CONNECT_CONFIG_DIR: configDir }, secrets, ...options });
}

/** The read-only discovery every setup starts with, in order. */
const discovery = (...apps: string[]) => [
  'cf version',
  'cf target',
  'cf space dev --guid',
  `cf curl /v3/spaces/${space}/features/ssh`,
  `cf curl /v3/service_instances?space_guids=${space}&type=managed&fields[service_plan]=guid,name,relationships.service_offering&fields[service_plan.service_offering]=guid,name&per_page=5000`,
  `cf curl /v3/service_credential_bindings?type=app&service_instance_guids=${connectivityGuid}&include=app&per_page=5000`,
  ...apps.map((app) => `cf curl /v3/apps/${appGuid(app)}/ssh_enabled`),
];

/** What creating app `name` runs after the discovery (the pushed folder is a temporary one). */
const creation = (name: string) => [
  `cf curl /v3/apps?names=${name}&space_guids=${space}`,
  `cf push ${name} --no-manifest --no-route --no-start -m 64M -k 256M -b binary_buildpack -u process -c sleep infinity -p <folder>`,
  `cf curl /v3/apps?names=${name}&space_guids=${space}`,
  `cf bind-service ${name} my-connectivity`,
  `cf enable-ssh ${name}`,
  `cf start ${name}`,
  `cf curl /v3/apps/${appGuid(name)}`,
  `cf curl /v3/apps/${appGuid(name)}/ssh_enabled`,
];

const lines = () => cloud.lines().map((line) => line.replace(/-p \S+btp-connect-tunnel-app-\S+/, '-p <folder>'));

describe('tunnel setup --cf', { skip: noScriptTools }, () => {
  it('an app bound to the Connectivity service with SSH runs already: it is chosen and saved, nothing is created', async () => {
    await cloud.setCf({
      ...platform,
      apps: [
        { name: 'approuter', state: 'STARTED', ssh: true, memoryMb: 256, bindings: ['my-connectivity', 'my-xsuaa'] },
        { name: 'other', state: 'STARTED', bindings: ['my-xsuaa'] },
      ],
    });
    // No --cf: the key's proxy host (connectivityproxy.internal.cf.…) says Cloud Foundry.
    const result = await tunnel(['setup']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stderr, /^Where does the connectivity proxy of connection "dev" run\? → Cloud Foundry$/m);
    assert.match(result.stdout, /^Tunnel of connection "dev": cf-ssh:approuter\.$/m);
    assert.deepEqual(lines(), discovery('approuter'));
    const show = await tunnel(['show', '--json']);
    assert.deepEqual(JSON.parse(show.stdout), { connection: 'dev', tunnel: 'cf-ssh:approuter', mode: { kind: 'cf-ssh', app: 'approuter' }, createdApp: null });
  });

  it('none exists and the user says yes: shows the commands and the memory, creates the app, saves it; remove undoes exactly that', async () => {
    await cloud.setCf({ ...platform, apps: [{ name: 'other', state: 'STARTED', bindings: ['my-xsuaa'] }] });
    const before = cloud.cf().apps;
    const questions: string[] = [];
    const result = await tunnel(['setup', '--cf'], { confirm: async (question) => (questions.push(question), true) });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.deepEqual(questions, ['Create it? [y/N] ']);
    assert.match(result.stdout, /Creates a tunnel app in org "my-org" \/ space "dev" \(https:\/\/api\.cf\.eu10\.hana\.ondemand\.com\), with these commands:/);
    assert.match(
      result.stdout,
      /^ {2}cf push btp-connect-tunnel --no-manifest --no-route --no-start -m 64M -k 256M -b binary_buildpack -u process -c "sleep infinity" -p <folder> {4}# create the app/m,
    );
    assert.match(result.stdout, /^ {2}cf bind-service btp-connect-tunnel my-connectivity {4}#/m);
    assert.match(result.stdout, /It costs 64 MB of memory and 256 MB of disk/);
    assert.match(result.stdout, /^Tunnel of connection "dev": cf-ssh:btp-connect-tunnel\.$/m);
    assert.match(result.stdout, /btp-connect tunnel remove --connection dev` deletes it/);
    assert.deepEqual(lines(), [...discovery(), ...creation('btp-connect-tunnel')]);
    const app = cloud.cf().apps.find((candidate) => candidate.name === 'btp-connect-tunnel') as Record<string, unknown> | undefined;
    assert.deepEqual(
      {
        state: app?.state,
        ssh: app?.ssh,
        bindings: app?.bindings,
        memoryMb: app?.memoryMb,
        route: app?.route,
        healthCheck: app?.healthCheck,
        command: app?.command,
      },
      { state: 'STARTED', ssh: true, bindings: ['my-connectivity'], memoryMb: 64, route: false, healthCheck: 'process', command: 'sleep infinity' },
    );
    const saved = await new ConnectionStore(secrets, configDir).tunnel('dev');
    assert.deepEqual(saved?.mode, { kind: 'cf-ssh', app: 'btp-connect-tunnel' });
    assert.equal(saved?.createdApp?.appGuid, appGuid('btp-connect-tunnel'));

    const count = cloud.commands().length;
    const removed = await tunnel(['remove', '--yes']);
    assert.equal(removed.code, ExitCode.Ok, removed.stderr);
    assert.match(removed.stdout, /^ {2}cf delete btp-connect-tunnel -f {4}# delete the tunnel app and its service binding$/m);
    assert.deepEqual(lines().slice(count), [
      'cf version',
      'cf target',
      'cf space dev --guid',
      `cf curl /v3/apps?names=btp-connect-tunnel&space_guids=${space}`,
      'cf delete btp-connect-tunnel -f',
    ]);
    assert.deepEqual(cloud.cf().apps, before);
    assert.equal(await new ConnectionStore(secrets, configDir).tunnel('dev'), undefined);
    assert.match((await tunnel(['remove', '--yes'])).stdout, /has no tunnel and nothing created/);
  });

  it('none exists and the user says no: the plan is shown, nothing is created or saved', async () => {
    await cloud.setCf(platform);
    const result = await tunnel(['setup', '--cf'], { confirm: async () => false });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /cf push btp-connect-tunnel /);
    assert.match(result.stdout, /^Nothing was changed\.$/m);
    assert.deepEqual(lines(), [...discovery(), `cf curl /v3/apps?names=btp-connect-tunnel&space_guids=${space}`]);
    assert.deepEqual(cloud.cf().apps, []);
    assert.equal(await new ConnectionStore(secrets, configDir).tunnel('dev'), undefined);
  });

  it('without a terminal and without --yes it creates nothing and says how to go ahead (exit 2)', async () => {
    await cloud.setCf(platform);
    const result = await tunnel(['setup', '--cf']);
    assert.equal(result.code, ExitCode.Usage);
    assert.match(result.stdout, /cf push btp-connect-tunnel /);
    assert.match(result.stderr, /run it again with --yes to go ahead \(or --dry-run to only print the plan\)/);
    assert.equal(
      cloud.lines().some((line) => / (push|bind-service|enable-ssh|start|delete) /.test(line)),
      false,
    );
  });

  it('--dry-run prints the plan, also as JSON, and runs only the read-only discovery', async () => {
    await cloud.setCf(platform);
    const result = await tunnel(['setup', '--cf', '--dry-run']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /^ {2}cf enable-ssh btp-connect-tunnel {4}# allow cf ssh into it$/m);
    assert.match(result.stdout, /^Dry run: nothing was created, changed or saved\.$/m);
    const json = await tunnel(['setup', '--cf', '--dry-run', '--json']);
    const parsed = JSON.parse(json.stdout) as { outcome: string; plan: { commands: string[]; cost: unknown; tunnel: string } };
    assert.equal(parsed.outcome, 'dry-run');
    assert.deepEqual(parsed.plan.cost, { memoryMb: 64, diskMb: 256 });
    assert.equal(parsed.plan.tunnel, 'cf-ssh:btp-connect-tunnel');
    assert.deepEqual(parsed.plan.commands.slice(1), [
      'cf bind-service btp-connect-tunnel my-connectivity',
      'cf enable-ssh btp-connect-tunnel',
      'cf start btp-connect-tunnel',
    ]);
    assert.equal(
      cloud.lines().some((line) => / (push|bind-service|enable-ssh|start|delete) /.test(line)),
      false,
    );
    assert.equal(await new ConnectionStore(secrets, configDir).tunnel('dev'), undefined);
  });

  it('not logged in, and a login that expired: coded errors that name `cf login --sso`', async () => {
    await cloud.setCf({ ...platform, login: 'none' });
    const none = await tunnel(['setup', '--cf']);
    assert.equal(none.code, ExitCode.AccessDenied);
    assert.match(
      none.stderr,
      /^Not logged in \[BTP_CLI_NOT_LOGGED_IN\]: The cf CLI is not logged in \(Not logged in\. Use 'cf login' or 'cf login --sso' to log in\.\)\. Log in with `cf login --sso`/m,
    );
    assert.deepEqual(lines(), ['cf version', 'cf target']);
    await cloud.setCf({ ...platform, login: 'expired' });
    const expired = await tunnel(['setup', '--cf']);
    assert.equal(expired.code, ExitCode.AccessDenied);
    assert.match(expired.stderr, /^Login expired \[BTP_CLI_LOGIN_EXPIRED\]: .*The token expired, was revoked.*`cf login --sso`/m);
  });

  it('no cf on PATH, and a cf v6: BTP_TOOL_MISSING naming the v8 CLI', async () => {
    const missing = await runCli(['tunnel', 'setup', '--cf', '--connection', 'dev'], {
      cwd: configDir,
      env: { ...cloud.env, PATH: join(configDir, 'no-such-bin'), BTP_CONNECT_CONFIG_DIR: configDir },
      secrets,
    });
    assert.equal(missing.code, ExitCode.NotFound);
    assert.match(missing.stderr, /\[BTP_TOOL_MISSING\]: "cf" was not found: install the Cloud Foundry CLI v8/);
    await cloud.setCf({ ...platform, version: '6.53.0+8e2b70a3a.2020-10-01' });
    const old = await tunnel(['setup', '--cf']);
    assert.equal(old.code, ExitCode.NotFound);
    assert.match(old.stderr, /\[BTP_TOOL_MISSING\]: The cf CLI is version 6\.53\.0\+8e2b70a3a\.2020-10-01; the tunnel setup needs v7 or later/);
    assert.deepEqual(lines(), ['cf version']);
  });

  it('no space targeted: BTP_CF_NO_TARGET with `cf target -o <org> -s <space>`', async () => {
    await cloud.setCf({ ...platform, space: null });
    const result = await tunnel(['setup', '--cf']);
    assert.equal(result.code, ExitCode.NotFound);
    assert.match(result.stderr, /\[BTP_CF_NO_TARGET\].*cf target -o <org> -s <space>/);
  });

  it('SSH disabled for the space, and for the app: each its own code and fix; nothing is changed', async () => {
    await cloud.setCf({ ...platform, space: { name: 'dev', ssh: false } });
    const spaceOff = await tunnel(['setup', '--cf']);
    assert.equal(spaceOff.code, ExitCode.AccessDenied);
    assert.match(spaceOff.stderr, /^SSH disabled for the space \[BTP_SSH_DISABLED_SPACE\]: SSH is disabled for space "dev".*`cf allow-space-ssh dev`/m);
    await cloud.setCf({ ...platform, apps: [{ name: 'approuter', state: 'STARTED', ssh: false, bindings: ['my-connectivity'] }] });
    const appOff = await tunnel(['setup', '--cf', '--app', 'approuter']);
    assert.equal(appOff.code, ExitCode.AccessDenied);
    assert.match(
      appOff.stderr,
      /^SSH disabled for the app \[BTP_SSH_DISABLED_APP\]: SSH is disabled for app "approuter" \(ssh is disabled for app\)\. Enable it with `cf enable-ssh approuter` and `cf restart approuter`/m,
    );
    // Without --app the unusable app is listed with its reason, and creating one is what is left.
    const listed = await tunnel(['setup', '--cf', '--dry-run']);
    assert.equal(listed.code, ExitCode.Ok, listed.stderr);
    assert.match(listed.stdout, /cf push btp-connect-tunnel /);
    assert.equal(
      cloud.lines().some((line) => / (push|enable-ssh|bind-service|start) /.test(line)),
      false,
    );
  });

  it('an app not bound to the Connectivity service, and one that is stopped: refused with the fix', async () => {
    await cloud.setCf({
      ...platform,
      apps: [
        { name: 'lonely', state: 'STARTED', bindings: [] },
        { name: 'sleeper', state: 'STOPPED', ssh: true, bindings: ['my-connectivity'] },
      ],
    });
    const unbound = await tunnel(['setup', '--cf', '--app', 'lonely']);
    assert.equal(unbound.code, ExitCode.InvalidInput);
    assert.match(unbound.stderr, /\[BTP_TUNNEL_APP_NOT_BOUND\]: App "lonely" is not bound .*`cf bind-service lonely my-connectivity`/);
    const stopped = await tunnel(['setup', '--cf', '--app', 'sleeper']);
    assert.equal(stopped.code, ExitCode.ServiceFailure);
    assert.match(stopped.stderr, /\[BTP_TUNNEL_APP_CRASHED\]: App "sleeper" is stopped.*`cf start sleeper`/);
  });

  it('quota exceeded at start: coded error naming the removal; the record lets `tunnel remove` delete the half-made app', async () => {
    await cloud.setCf({ ...platform, quotaMb: 512, apps: [{ name: 'big', state: 'STARTED', memoryMb: 256, bindings: [] }] });
    const result = await tunnel(['setup', '--cf', '--yes']);
    assert.equal(result.code, ExitCode.ServiceFailure);
    assert.match(
      result.stderr,
      /^Memory quota exceeded \[BTP_QUOTA_EXCEEDED\]: Cloud Foundry refused the memory the tunnel app needs \(organization's memory limit exceeded: staging requires 1024M memory\)\..*App "btp-connect-tunnel" was created in space "dev" and is left as it is: `btp-connect tunnel remove --connection dev` deletes it\./m,
    );
    assert.deepEqual(lines(), [...discovery(), ...creation('btp-connect-tunnel').slice(0, 6)]);
    const saved = await new ConnectionStore(secrets, configDir).tunnel('dev');
    assert.equal(saved?.mode, undefined);
    assert.equal(saved?.createdApp?.app, 'btp-connect-tunnel');
    const removed = await tunnel(['remove', '--yes']);
    assert.equal(removed.code, ExitCode.Ok, removed.stderr);
    assert.deepEqual(
      cloud.cf().apps.map((app) => app.name),
      ['big'],
    );
  });

  it('an app that crashes on start: BTP_TUNNEL_APP_CRASHED with `cf logs`', async () => {
    await cloud.setCf({ ...platform, crashOnStart: true });
    const result = await tunnel(['setup', '--cf', '--yes', '--app', 'my-tunnel']);
    assert.equal(result.code, ExitCode.ServiceFailure);
    assert.match(result.stderr, /\[BTP_TUNNEL_APP_CRASHED\]: App "my-tunnel" does not run \(Start unsuccessful\)\. See why with `cf logs my-tunnel --recent`/);
    assert.equal((await tunnel(['remove', '--yes'])).code, ExitCode.Ok);
    assert.deepEqual(cloud.cf().apps, []);
  });

  it('no Connectivity service instance in the space: BindingNotFound with `cf create-service connectivity lite`', async () => {
    await cloud.setCf({ services: [{ name: 'my-xsuaa', offering: 'xsuaa', plan: 'application' }], apps: [] });
    const result = await tunnel(['setup', '--cf']);
    assert.equal(result.code, ExitCode.NotFound);
    assert.match(
      result.stderr,
      /\[BTP_BINDING_NOT_FOUND\]: Space "dev" has no instance of the Connectivity service.*`cf create-service connectivity lite connectivity`/,
    );
  });

  it("a saved tunnel whose app lost SSH later: the forward's tunnel fails at start naming that cause and its fix", async () => {
    await cloud.setCf({ ...platform, apps: [{ name: 'approuter', state: 'STARTED', ssh: false, bindings: ['my-connectivity'] }] });
    await new ConnectionStore(secrets, configDir).setTunnel('dev', { mode: { kind: 'cf-ssh', app: 'approuter' }, savedAt: new Date().toISOString() });
    const result = await runCli(['forward', 'onprem-erp-basic', '--connection', 'dev'], {
      cwd: configDir,
      env: { ...cloud.env, BTP_CONNECT_CONFIG_DIR: configDir, BTP_CONNECT_LOCAL_TOKEN: 'off' },
      secrets,
    });
    assert.equal(result.code, ExitCode.ServiceFailure);
    assert.match(result.stdout, /^Tunnel: cf-ssh:approuter, saved for connection "dev"/m);
    assert.match(result.stderr, /\[BTP_TUNNEL_FAILED\]: The tunnel did not start: /);
    // The child's last output, quoted: its stdout (FAILED) and stderr lines may come in either order.
    assert.match(result.stderr, /\n {2}Error opening SSH connection: You are not authorized to perform the requested action\.\n/);
    assert.match(result.stderr, /\nCloud Foundry refused the SSH connection to app "approuter" .*`cf enable-ssh approuter` and `cf restart approuter`/);
    assert.deepEqual(cloud.lines().filter((line) => line.startsWith('cf ssh')).length, 1);
  });

  it('disconnecting a connection whose setup created an app says the app stays and how to delete it', async () => {
    const store = new ConnectionStore(secrets, configDir);
    await store.add('short-lived', { destination: parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding });
    await store.setTunnel('short-lived', {
      createdApp: {
        api: 'https://api.cf.eu10.hana.ondemand.com',
        org: 'my-org',
        space: 'dev',
        spaceGuid: space,
        app: 'btp-connect-tunnel',
        serviceInstance: 'my-connectivity',
        createdAt: new Date().toISOString(),
      },
      savedAt: new Date().toISOString(),
    });
    const result = await runCli(['disconnect', 'short-lived'], { cwd: configDir, env: { BTP_CONNECT_CONFIG_DIR: configDir }, secrets });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /^Its tunnel app "btp-connect-tunnel" stays in org "my-org" \/ space "dev": delete it with `cf delete btp-connect-tunnel -f`/m);
  });

  it('several usable apps: the command lists them and asks for --app; no secret is ever printed', async () => {
    await cloud.setCf({
      ...platform,
      apps: [
        { name: 'a1', state: 'STARTED', bindings: ['my-connectivity'] },
        { name: 'a2', state: 'STARTED', bindings: ['my-connectivity'] },
      ],
    });
    const result = await tunnel(['setup', '--cf']);
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(
      result.stderr,
      /Tunnel through which app of space "dev"\? Choose with --app <name> \(or --create\):\n {2}a1 \(bound to my-connectivity, started, SSH enabled\)\n {2}a2 /,
    );
    assert.equal(`${result.stdout}${result.stderr}`.includes(CANARY_SECRET), false);
  });
});
