// A stand-in for the Cloud Foundry CLI v8 that answers like the real one, for the tunnel setup tests. It records
// every command (record.mjs) and keeps the platform's state in $FAKE_CLOUD_DIR/cf.json, which the test writes:
//
//   { "login": "ok" | "none" | "expired", "api", "user", "org": name | null, "space": { "name", "ssh" } | null,
//     "services": [{ "name", "offering", "plan" }], "apps": [{ "name", "state", "ssh", "memoryMb", "bindings": [service] }],
//     "quotaMb": org memory limit | absent, "minimumStagingMb": 1024, "crashOnStart": true, "developer": true }
//
// What it models, and where that comes from:
// - `cf version` → "cf version 8.7.10+…" (command/common/version_command.go).
// - `cf target`: the key-value table "API endpoint:", "API version:", "user:", "org:", "space:"; without a target
//   "No org or space targeted, use 'cf target -o ORG -s SPACE'" (command/v7/target_command.go).
// - Errors go to stderr, "FAILED" to stdout, exit 1 (util/ui/ui.go DisplayError). Texts: "Not logged in. Use 'cf
//   login' or 'cf login --sso' to log in." (translatableerror/not_logged_in_error.go); "The token expired, was revoked,
//   or the token ID is incorrect. Please log back in to re-authenticate." (invalid_refresh_token_error.go), which the
//   CLI reports on the first API call, not on `cf target` (that reads the local config only).
// - `cf curl PATH` prints the body and exits 0 even for API errors (no --fail): {"errors":[{detail,title,code}]}
//   (command/v7/curl_command.go, actor/v7action/curl.go). v3 resources as in cloud_controller_ng's docs:
//   /v3/spaces/:guid/features/ssh {name,description,enabled}; /v3/service_instances with fields[service_plan] and
//   fields[service_plan.service_offering] → included.service_plans / included.service_offerings;
//   /v3/service_credential_bindings?type=app&service_instance_guids=…&include=app → included.apps;
//   /v3/apps/:guid/ssh_enabled {enabled, reason} with the reasons of app_ssh_status_presenter.rb.
// - `cf start` checks the org memory quota like the Cloud Controller: staging needs max(app memory, minimum staging
//   memory) ("organization's memory limit exceeded: staging requires 1024M memory", builds_controller.rb), running
//   needs the app's memory ("memory quota_exceeded", AppMaxMemoryPolicy); a crashing app ends in "Start unsuccessful"
//   (translatableerror/application_unable_to_start_error.go).
// - `cf ssh`: "Error opening SSH connection: You are not authorized to perform the requested action." when SSH is off
//   for the app or its space (ssh_unable_to_authenticate_error.go), "Application 'X' is not in the STARTED state".
//   With FAKE_CF_SSHD ({"port","key","user"}) it runs a real OpenSSH `ssh -N -L` against that sshd; otherwise it
//   forwards itself (../fakeBin/fakeTunnel.mjs). FAKE_CF_SSH_HOSTS ({"outside": "inside"}) maps the proxy host as the
//   service key names it to the address the app's container reaches it at.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { guidFor, loadState, record, saveState } from './record.mjs';

const defaults = {
  version: '8.7.10+5b7ce3c.2024-04-04',
  login: 'ok',
  api: 'https://api.cf.eu10.hana.ondemand.com',
  apiVersion: '3.180.0',
  user: 'developer@example.com',
  org: 'my-org',
  space: { name: 'dev', ssh: true },
  services: [],
  apps: [],
  minimumStagingMb: 1024,
  developer: true,
};

let state;

export function main() {
  const argv = process.argv.slice(2);
  record('cf', argv);
  state = { ...defaults, ...loadState('cf.json') };
  const [command, ...rest] = argv;
  if (command === 'version' || command === '-v' || command === '--version') return out(`cf version ${state.version}`);
  if (state.login === 'none') return fail("Not logged in. Use 'cf login' or 'cf login --sso' to log in.");
  if (command === 'target') return target();
  if (state.login === 'expired') return fail('The token expired, was revoked, or the token ID is incorrect. Please log back in to re-authenticate.');
  if (!state.org || !state.space) return fail("No org or space targeted, use 'cf target -o ORG -s SPACE'");
  switch (command) {
    case 'space':
      return space(rest);
    case 'curl':
      return out(JSON.stringify(curl(rest[0] ?? '/'), null, 2));
    case 'push':
      return push(rest);
    case 'bind-service':
      return bindService(rest[0], rest[1]);
    case 'enable-ssh':
      return enableSsh(rest[0]);
    case 'start':
      return start(rest[0]);
    case 'delete':
      return remove(rest[0]);
    case 'ssh':
      return ssh(rest);
    default:
      return fail(`'${command}' is not a registered command. See 'cf help -a'`);
  }
}

function out(text) {
  process.stdout.write(`${text}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.stdout.write('FAILED\n');
  process.exitCode = 1;
}

function save() {
  saveState('cf.json', state);
}

function target() {
  const rows = [
    ['API endpoint:', state.api],
    ['API version:', state.apiVersion],
    ['user:', state.user],
  ];
  if (state.org) rows.push(['org:', state.org]);
  if (state.org && state.space) rows.push(['space:', state.space.name]);
  out(rows.map(([key, value]) => `${key.padEnd(16)}${value}`).join('\n'));
  if (!state.org) out("No org or space targeted, use 'cf target -o ORG -s SPACE'");
  else if (!state.space) out("No space targeted, use 'cf target -s SPACE'");
}

function space([name, flag]) {
  if (name !== state.space.name) return fail(`Space '${name}' not found.`);
  if (flag === '--guid') return out(guidFor('space', name));
  out(`name:   ${name}`);
}

const spaceGuid = () => guidFor('space', state.space.name);
const appResource = (app) => ({
  guid: guidFor('app', app.name),
  name: app.name,
  state: app.state,
  lifecycle: { type: 'buildpack', data: { buildpacks: [app.buildpack ?? 'nodejs_buildpack'], stack: 'cflinuxfs4' } },
  relationships: { space: { data: { guid: spaceGuid() } } },
});
const notFound = (what) => ({ errors: [{ detail: `${what} not found`, title: 'CF-ResourceNotFound', code: 10010 }] });

function curl(path) {
  const url = new URL(path, 'https://api.invalid');
  const query = (name) => url.searchParams.get(name)?.split(',') ?? undefined;
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.pathname === `/v3/spaces/${spaceGuid()}/features/ssh`)
    return { name: 'ssh', description: 'Enable SSHing into apps in the space.', enabled: state.space.ssh !== false };
  if (url.pathname === '/v3/service_instances') {
    const inSpace = !query('space_guids') || query('space_guids').includes(spaceGuid());
    const services = inSpace ? state.services : [];
    const withFields = url.searchParams.has('fields[service_plan]');
    return {
      pagination: { total_results: services.length, total_pages: 1, next: null, previous: null },
      resources: services.map((service) => ({
        guid: guidFor('service', service.name),
        name: service.name,
        type: 'managed',
        relationships: { service_plan: { data: { guid: guidFor('plan', `${service.offering}/${service.plan}`) } }, space: { data: { guid: spaceGuid() } } },
      })),
      ...(withFields
        ? {
            included: {
              service_plans: services.map((service) => ({
                guid: guidFor('plan', `${service.offering}/${service.plan}`),
                name: service.plan,
                relationships: { service_offering: { data: { guid: guidFor('offering', service.offering) } } },
              })),
              service_offerings: services.map((service) => ({ guid: guidFor('offering', service.offering), name: service.offering })),
            },
          }
        : {}),
    };
  }
  if (url.pathname === '/v3/service_credential_bindings') {
    const instances = query('service_instance_guids') ?? [];
    const bindings = state.apps.flatMap((app) =>
      (app.bindings ?? []).filter((service) => instances.includes(guidFor('service', service))).map((service) => ({ app, service })),
    );
    return {
      pagination: { total_results: bindings.length, total_pages: 1, next: null, previous: null },
      resources: bindings.map(({ app, service }) => ({
        guid: guidFor('binding', `${app.name}/${service}`),
        type: 'app',
        relationships: { app: { data: { guid: guidFor('app', app.name) } }, service_instance: { data: { guid: guidFor('service', service) } } },
      })),
      ...(url.searchParams.get('include') === 'app' ? { included: { apps: [...new Set(bindings.map(({ app }) => app))].map(appResource) } } : {}),
    };
  }
  if (url.pathname === '/v3/apps') {
    const names = query('names');
    const apps = state.apps.filter((app) => !names || names.includes(app.name));
    return { pagination: { total_results: apps.length, total_pages: 1, next: null, previous: null }, resources: apps.map(appResource) };
  }
  if (parts[0] === 'v3' && parts[1] === 'apps' && parts[2]) {
    const app = state.apps.find((candidate) => guidFor('app', candidate.name) === parts[2]);
    if (!app) return notFound('App');
    if (parts[3] === 'ssh_enabled') {
      // app_ssh_status_presenter.rb: global, then space, then app.
      const reason = state.space.ssh === false ? `ssh is disabled for space '${state.space.name}'` : app.ssh === false ? 'ssh is disabled for app' : '';
      return { enabled: reason === '', reason };
    }
    if (parts.length === 3) return appResource(app);
  }
  return { errors: [{ detail: 'Unknown request', title: 'CF-NotFound', code: 10000 }] };
}

function option(args, short, long) {
  const index = args.findIndex((arg) => arg === short || arg === long);
  return index >= 0 ? args[index + 1] : undefined;
}

function megabytes(text, fallback) {
  const match = /^(\d+)(M|G)B?$/i.exec(text ?? '');
  return match ? Number(match[1]) * (match[2].toUpperCase() === 'G' ? 1024 : 1) : fallback;
}

function push([name, ...args]) {
  if (!state.developer) return fail('You are not authorized to perform the requested action.');
  const path = option(args, '-p', '--path');
  if (!path || !existsSync(path)) return fail(`Incorrect Usage: The specified path '${path}' does not exist.`);
  if (readdirSync(path).length === 0) return fail(`No app files found in '${path}'`);
  out(`Pushing app ${name} to org ${state.org} / space ${state.space.name} as ${state.user}...`);
  const existing = state.apps.find((app) => app.name === name);
  const app = existing ?? { name, state: 'STOPPED', ssh: true, bindings: [] };
  Object.assign(app, {
    memoryMb: megabytes(option(args, '-m', '--memory'), 1024),
    diskMb: megabytes(option(args, '-k', '--disk'), 1024),
    buildpack: option(args, '-b', '--buildpack'),
    command: option(args, '-c', '--start-command'),
    healthCheck: option(args, '-u', '--health-check-type') ?? 'port',
    route: !args.includes('--no-route'),
  });
  if (!existing) state.apps.push(app);
  if (!args.includes('--no-start')) app.state = 'STARTED';
  save();
  out(`\nname:              ${name}\nrequested state:   ${app.state.toLowerCase()}\nroutes:            \n`);
}

function findApp(name) {
  const app = state.apps.find((candidate) => candidate.name === name);
  if (!app) fail(`App '${name}' not found.`);
  return app;
}

function bindService(name, service) {
  const app = findApp(name);
  if (!app) return;
  if (!state.services.some((candidate) => candidate.name === service)) return fail(`Service instance ${service} not found`);
  out(`Binding service instance ${service} to app ${name} in org ${state.org} / space ${state.space.name} as ${state.user}...`);
  if ((app.bindings ?? []).includes(service)) {
    out(`App ${name} is already bound to service instance ${service}.`);
    return out('OK');
  }
  app.bindings = [...(app.bindings ?? []), service];
  save();
  out("OK\n\nTIP: Use 'cf restage " + name + "' to ensure your env variable changes take effect");
}

function enableSsh(name) {
  const app = findApp(name);
  if (!app) return;
  out(`Enabling ssh support for app ${name} as ${state.user}...`);
  if (app.ssh !== false) return out(`ssh support for app '${name}' is already enabled.\nOK`);
  app.ssh = true;
  save();
  out('OK');
}

function start(name) {
  const app = findApp(name);
  if (!app) return;
  out(`Starting app ${name} in org ${state.org} / space ${state.space.name} as ${state.user}...`);
  if (state.quotaMb !== undefined) {
    const used = state.apps.filter((other) => other.state === 'STARTED' && other !== app).reduce((sum, other) => sum + (other.memoryMb ?? 0), 0);
    const staging = Math.max(app.memoryMb ?? 1024, state.minimumStagingMb);
    if (used + staging > state.quotaMb) return fail(`organization's memory limit exceeded: staging requires ${staging}M memory`);
    if (used + (app.memoryMb ?? 1024) > state.quotaMb) return fail('memory quota_exceeded');
  }
  if (state.crashOnStart) {
    app.state = 'STARTED';
    app.crashed = true;
    save();
    return fail(`Start unsuccessful\n\nTIP: use 'cf logs ${name} --recent' for more information`);
  }
  app.state = 'STARTED';
  save();
  out(
    `\nname:              ${name}\nrequested state:   started\n\n     state     since                  cpu    memory         disk\n#0   running   2025-01-01T00:00:00Z   0.0%   8M of ${app.memoryMb}M   10M of ${app.diskMb}M`,
  );
}

function remove(name) {
  out(`Deleting app ${name} in org ${state.org} / space ${state.space.name} as ${state.user}...`);
  const before = state.apps.length;
  state.apps = state.apps.filter((app) => app.name !== name);
  if (state.apps.length === before) process.stderr.write(`App '${name}' does not exist.\n`);
  save();
  out('OK');
}

function ssh([name, ...args]) {
  const app = findApp(name);
  if (!app) return;
  if (app.state !== 'STARTED') return fail(`Application '${name}' is not in the STARTED state`);
  if (state.space.ssh === false || app.ssh === false) return fail('Error opening SSH connection: You are not authorized to perform the requested action.');
  if (app.crashed) return fail('Instance 0 of process web not running');
  const hosts = JSON.parse(process.env.FAKE_CF_SSH_HOSTS ?? '{}');
  const specs = [];
  args.forEach((arg, index) => {
    if (arg !== '-L') return;
    const parts = String(args[index + 1]).split(':');
    const [bind, port, host, hostPort] = parts.length === 4 ? parts : ['127.0.0.1', ...parts];
    specs.push(`${bind}:${port}:${hosts[host] ?? host}:${hostPort}`);
  });
  const sshd = process.env.FAKE_CF_SSHD ? JSON.parse(process.env.FAKE_CF_SSHD) : undefined;
  if (!sshd) {
    // No real sshd: forward in this process, like the tunnel tests' fake (it reads `-L` specs from process.argv).
    process.argv = [process.argv[0], process.argv[1], name, '-N', '-T', ...specs.flatMap((spec) => ['-L', spec])];
    return import('../fakeBin/fakeTunnel.mjs').then((fake) => fake.main('cf'));
  }
  // The app's container is the sshd here: OpenSSH does the -L forwards as `cf ssh` does through the SSH proxy.
  const child = spawn(
    'ssh',
    [
      '-N',
      ...specs.flatMap((spec) => ['-L', spec]),
      '-p',
      String(sshd.port),
      '-i',
      sshd.key,
      '-F',
      '/dev/null',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'ExitOnForwardFailure=yes',
      '-o',
      'LogLevel=ERROR',
      `${sshd.user}@127.0.0.1`,
    ],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
