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
import { startFakeCloud, type FakeCloud, type FakeKube } from '../../support/fakeCloudHarness';
import { CANARY_SECRET, connectivityKey, destinationKey } from '../../support/bindingFixtures';
import { noScriptTools } from '../../support/platform';

// `btp-connect tunnel setup --kyma` against a fake kubectl that answers like the real one and records every command:
// the kube context, the connectivity-proxy module's Service found through its info ConfigMap, the proxy's own service
// key imported (after a yes) the way the Connectivity Proxy for Kubernetes keeps it, and the errors by cause.

const context = 'shoot--kyma--c-1a2b3c';
const proxyKey = {
  clientid: 'sb-connectivity-proxy!b137',
  clientsecret: CANARY_SECRET,
  url: 'https://sub.authentication.eu10.hana.ondemand.com',
  uaadomain: 'authentication.eu10.hana.ondemand.com',
  identityzone: 'sub',
  tenantid: 't-1',
};
const b64 = (text: string) => Buffer.from(text).toString('base64');

function cluster(
  overrides: Partial<FakeKube['clusters'][string]> = {},
  secretData: Record<string, string> = { service_key: b64(JSON.stringify(proxyKey)) },
): FakeKube {
  return {
    contexts: ['kind-local', context],
    current: context,
    clusters: {
      'kind-local': { server: 'https://127.0.0.1:6443' },
      [context]: {
        server: 'https://api.c-1a2b3c.kyma.ondemand.com',
        objects: {
          'kyma-system': {
            configmap: {
              'connectivity-proxy-info': {
                data: {
                  onpremise_proxy_host: 'connectivity-proxy.kyma-system.svc.cluster.local',
                  onpremise_proxy_http_port: '20003',
                  onpremise_proxy_port: '20003',
                  onpremise_proxy_ldap_port: '20001',
                  onpremise_proxy_rfc_port: '20001',
                  onpremise_socks5_proxy_port: '20004',
                },
              },
            },
            service: {
              'connectivity-proxy': {
                spec: {
                  ports: [
                    { name: 'rfc-ldap', port: 20001 },
                    { name: 'http', port: 20003 },
                    { name: 'socks5', port: 20004 },
                  ],
                },
              },
            },
            secret: { 'connectivity-proxy-service-key': { type: 'Opaque', data: secretData } },
          },
        },
        ...overrides,
      },
    },
  };
}

let configDir: string;
let secrets: MemorySecretStore;
let store: ConnectionStore;
let cloud: FakeCloud;

before(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'btp-tunnel-setup-kyma-'));
  secrets = new MemorySecretStore();
  store = new ConnectionStore(secrets, configDir);
});
after(() => rm(configDir, { recursive: true, force: true }));
beforeEach(async () => {
  cloud = await startFakeCloud();
  await store.add('kyma', { destination: parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding }, { replace: true });
  await store.setTunnel('kyma', undefined);
});
afterEach(() => cloud.close());

function tunnel(args: string[], options: { confirm?: (question: string) => Promise<boolean> } = {}): Promise<CliResult> {
  return runCli(['tunnel', ...args, '--connection', 'kyma'], { cwd: configDir, env: { ...cloud.env, BTP_CONNECT_CONFIG_DIR: configDir }, secrets, ...options });
}

const discovery = (ctx = context) => [
  'kubectl version --client',
  'kubectl config get-contexts -o name',
  'kubectl config current-context',
  `kubectl get configmap connectivity-proxy-info --context=${ctx} --namespace=kyma-system -o json`,
  `kubectl get service connectivity-proxy --context=${ctx} --namespace=kyma-system -o json`,
];

describe('tunnel setup --kyma', { skip: noScriptTools }, () => {
  it("imports the proxy's own service key after a yes and saves kubectl:kyma-system@<context>; the secret is never printed", async () => {
    await cloud.setKube(cluster());
    const asked: string[] = [];
    const result = await tunnel(['setup', '--kyma'], { confirm: async (question) => (asked.push(question), true) });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.deepEqual(asked, ['Go ahead? [y/N] ']);
    assert.match(result.stdout, /Uses Service "kyma-system\/connectivity-proxy" \(ports 20001, 20003, 20004\) in context "shoot--kyma--c-1a2b3c"\./);
    assert.match(
      result.stdout,
      /Reads secret "connectivity-proxy-service-key" in namespace "kyma-system" \(the connectivity proxy's service key\) and stores it in the keychain/,
    );
    assert.match(
      result.stdout,
      /^Tunnel of connection "kyma": kubectl:kyma-system@shoot--kyma--c-1a2b3c\. Its connectivity key is now the connectivity proxy's own, from the cluster\.$/m,
    );
    assert.deepEqual(cloud.lines(), [...discovery(), `kubectl get secret connectivity-proxy-service-key --context=${context} --namespace=kyma-system -o json`]);
    const connectivity = (await store.load('kyma')).connectivity;
    assert.deepEqual(
      { host: connectivity?.proxyHost, http: connectivity?.httpPort, socks5: connectivity?.socks5Port, clientid: connectivity?.credentials.clientid },
      { host: 'connectivity-proxy.kyma-system.svc.cluster.local', http: 20003, socks5: 20004, clientid: 'sb-connectivity-proxy!b137' },
    );
    assert.deepEqual((await store.tunnel('kyma'))?.mode, { kind: 'kubectl', namespace: 'kyma-system', context });
    assert.equal(`${result.stdout}${result.stderr}`.includes(CANARY_SECRET), false);
  });

  it('reads a BTP operator secret with one key per field as well', async () => {
    await cloud.setKube(cluster({}, Object.fromEntries(Object.entries(proxyKey).map(([key, value]) => [key, b64(value)]))));
    const result = await tunnel(['setup', '--kyma', '--yes']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.equal((await store.load('kyma')).connectivity?.credentials.clientsecret, CANARY_SECRET);
  });

  it('a connection with a connectivity key on the same ports keeps it: nothing to confirm, no secret read', async () => {
    await store.add(
      'kyma',
      {
        destination: parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(connectivityKey(), { expected: 'connectivity' }) as ConnectivityBinding,
      },
      { replace: true },
    );
    await cloud.setKube(cluster());
    const result = await tunnel(['setup', '--kyma', '--context', 'shoot--kyma--c-1a2b3c']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.deepEqual(cloud.lines(), discovery());
    assert.equal((await store.load('kyma')).connectivity?.proxyHost, 'connectivityproxy.internal.cf.eu10.hana.ondemand.com');
  });

  it('--dry-run names the secret it would read and reads nothing', async () => {
    await cloud.setKube(cluster());
    const result = await tunnel(['setup', '--kyma', '--dry-run']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /Reads secret "connectivity-proxy-service-key"/);
    assert.deepEqual(cloud.lines(), discovery());
    assert.equal((await store.load('kyma')).connectivity, undefined);
    assert.equal(await store.tunnel('kyma'), undefined);
  });

  it('errors by cause: cluster unreachable, not logged in, RBAC forbidden, no such context, no connectivity proxy', async () => {
    const cases: [FakeKube, string[], number, RegExp][] = [
      [
        cluster({ reachable: false }),
        [],
        ExitCode.ServiceFailure,
        /^Kubernetes cluster unreachable \[BTP_KUBE_UNREACHABLE\]: The cluster \(context "shoot--kyma--c-1a2b3c"\) cannot be reached \(Unable to connect to the server: dial tcp: lookup api\.c-1a2b3c\.kyma\.ondemand\.com: no such host\)/m,
      ],
      [
        cluster({ loggedIn: false }),
        [],
        ExitCode.AccessDenied,
        /^Not logged in \[BTP_CLI_NOT_LOGGED_IN\]: kubectl is not logged in to the cluster .*\(error: You must be logged in to the server \(Unauthorized\)\)/m,
      ],
      [
        cluster({ forbidden: ['configmaps'] }),
        [],
        ExitCode.AccessDenied,
        /^Kubernetes access denied \[BTP_KUBE_FORBIDDEN\]: Kubernetes RBAC refused the request .*cannot get resource "configmaps" in API group "" in the namespace "kyma-system".*pods\/portforward in namespace "kyma-system"/m,
      ],
      [
        cluster(),
        ['--context', 'nope'],
        ExitCode.InvalidInput,
        /\[BTP_INVALID_INPUT\]: kubectl has no context "nope" \(it has: kind-local, shoot--kyma--c-1a2b3c\)/,
      ],
      [
        cluster({ objects: {} }),
        [],
        ExitCode.NotFound,
        /\[BTP_NOT_FOUND\]: There is no connectivity proxy in namespace "kyma-system" of context "shoot--kyma--c-1a2b3c".*Add the connectivity-proxy module/,
      ],
    ];
    for (const [state, args, code, message] of cases) {
      await cloud.setKube(state);
      const result = await tunnel(['setup', '--kyma', '--yes', ...args]);
      assert.equal(result.code, code, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(await store.tunnel('kyma'), undefined);
    }
  });

  it('no current context: lists the contexts and asks for --context', async () => {
    await cloud.setKube({ ...cluster(), current: null });
    const result = await tunnel(['setup', '--kyma']);
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(
      result.stderr,
      /Which Kubernetes cluster \(kube context\) runs the connectivity proxy\? Choose with --context <name>:\n {2}kind-local\n {2}shoot--kyma--c-1a2b3c/,
    );
  });
});
