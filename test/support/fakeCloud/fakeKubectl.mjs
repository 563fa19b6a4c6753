// A stand-in for kubectl that answers like the real one, for the tunnel setup tests. It records every command
// (record.mjs) and reads the clusters from $FAKE_CLOUD_DIR/kube.json, which the test writes:
//
//   { "contexts": ["shoot--kyma--c-1a2b3c"], "current": "shoot--kyma--c-1a2b3c" | null, "user": "…",
//     "clusters": { "<context>": { "server", "reachable": true, "loggedIn": true, "forbidden": ["secrets"],
//                                  "objects": { "<namespace>": { "configmap" | "service" | "secret": { "<name>": {…} } } } } } }
//
// What it models, and where that comes from:
// - `kubectl config get-contexts -o name` (one name per line), `kubectl config current-context`, and
//   "error: current-context is not set" (kubectl; blendle/kns#13); `--context` naming an unknown context:
//   'error: context "x" does not exist' (kubernetes/kubernetes#38864 and its fix).
// - An API server out of reach: "Unable to connect to the server: dial tcp: lookup <host>: no such host"
//   (client-go; e.g. kubernetes/website#1866, kubernetes/minikube#1234).
// - An expired or missing login: "error: You must be logged in to the server (Unauthorized)".
// - RBAC: 'Error from server (Forbidden): configmaps "x" is forbidden: User "u" cannot get resource "configmaps" in
//   API group "" in the namespace "ns"' (kelseyhightower/kubernetes-the-hard-way#804 and the API server's text).
// - Missing objects: 'Error from server (NotFound): configmaps "x" not found'.
// - The connectivity proxy of the Kyma module: ConfigMap kyma-system/connectivity-proxy-info with the binding keys,
//   Service kyma-system/connectivity-proxy (20001, 20003, 20004), Secret connectivity-proxy-service-key (SAP-docs
//   btp-connectivity: connectivity-proxy-in-the-kyma-environment, configuration-guide; kyma cp-mod-migrator).
// - `kubectl port-forward` forwards itself (../fakeBin/fakeTunnel.mjs).
import { guidFor, loadState, record } from './record.mjs';

const plural = { configmap: 'configmaps', service: 'services', secret: 'secrets' };

export function main() {
  const argv = process.argv.slice(2);
  record('kubectl', argv);
  const state = { contexts: [], current: null, user: 'developer@example.com', clusters: {}, ...loadState('kube.json') };
  const flag = (name) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const positional = argv.filter((arg) => !arg.startsWith('-') && !['json', 'name'].includes(arg));
  if (argv[0] === 'version') return out('Client Version: v1.31.0\nKustomize Version: v5.4.2');
  if (argv[0] === 'config' && argv[1] === 'get-contexts') return out(state.contexts.join('\n'));
  if (argv[0] === 'config' && argv[1] === 'current-context') return state.current ? out(state.current) : fail('error: current-context is not set');
  const context = flag('context') ?? state.current;
  if (!context) return fail('error: current-context is not set');
  const cluster = state.clusters[context];
  if (!state.contexts.includes(context) || !cluster) return fail(`error: context "${context}" does not exist`);
  const host = new URL(cluster.server ?? 'https://api.c-1a2b3c.kyma.ondemand.com').hostname;
  if (cluster.reachable === false) return fail(`Unable to connect to the server: dial tcp: lookup ${host}: no such host`);
  if (cluster.loggedIn === false) return fail('error: You must be logged in to the server (Unauthorized)');
  const namespace = flag('namespace') ?? 'default';
  if (argv[0] === 'port-forward') {
    if ((cluster.forbidden ?? []).includes('pods/portforward'))
      return fail(
        `error: error upgrading connection: pods "connectivity-proxy-0" is forbidden: User "${state.user}" cannot create resource "pods/portforward" in API group "" in the namespace "${namespace}"`,
      );
    return import('../fakeBin/fakeTunnel.mjs').then((fake) => fake.main('kubectl'));
  }
  if (argv[0] === 'get') {
    const [, kind, name] = positional;
    const resource = plural[kind];
    if (!resource) return fail(`error: the server doesn't have a resource type "${kind}"`);
    if ((cluster.forbidden ?? []).includes(resource)) {
      return fail(
        `Error from server (Forbidden): ${resource} "${name}" is forbidden: User "${state.user}" cannot get resource "${resource}" in API group "" in the namespace "${namespace}"`,
      );
    }
    const object = cluster.objects?.[namespace]?.[kind]?.[name];
    if (!object) return fail(`Error from server (NotFound): ${resource} "${name}" not found`);
    const kinds = { configmap: 'ConfigMap', service: 'Service', secret: 'Secret' };
    return out(
      JSON.stringify({ apiVersion: 'v1', kind: kinds[kind], metadata: { name, namespace, uid: guidFor(kind, `${namespace}/${name}`) }, ...object }, null, 4),
    );
  }
  fail(`error: unknown command "${argv[0]}" for "kubectl"`);
}

function out(text) {
  process.stdout.write(`${text}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}
