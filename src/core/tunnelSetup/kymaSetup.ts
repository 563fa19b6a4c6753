import { BtpError, ErrorCode } from '../errors';
import type { SavedTunnelMode } from '../connections/savedTunnel';
import { KubectlCli } from './kubectlCli';
import { findKymaProxy, KYMA_PROXY, missingPorts, readProxyCredentials } from './kymaDiscovery';
import type { SetupContext, SetupOutcome } from './setupContext';
import type { SetupPlan } from './setupPlan';

export interface KymaSetupOptions {
  /** The kube context (default: the current one). */
  readonly context?: string;
  /** Where the connectivity proxy runs (default kyma-system). */
  readonly namespace?: string;
  /** Store the proxy's own service key as the connection's connectivity key, even when the connection has one. */
  readonly importCredentials?: boolean;
}

/**
 * Kyma (or any cluster with the Connectivity Proxy for Kubernetes): pick the kube context, find the proxy's Service
 * through its info ConfigMap, take the connection's connectivity key or import the proxy's own one from the cluster
 * (after a yes), and save `kubectl:<namespace>@<context>` as the connection's tunnel.
 */
export async function setUpKymaTunnel(ctx: SetupContext, options: KymaSetupOptions = {}): Promise<SetupOutcome> {
  const bindings = await ctx.store.load(ctx.connection);
  const kubectl = new KubectlCli(ctx.runner);
  ctx.ui.progress('Checking kubectl and its contexts…');
  await kubectl.checkInstalled();
  const contexts = await kubectl.contexts();
  if (contexts.length === 0) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      'kubectl has no context: download the kubeconfig of the Kyma environment (BTP cockpit → the subaccount → Kyma Environment → KubeconfigURL) and point KUBECONFIG at it.',
      { field: 'context' },
    );
  }
  if (options.context && !contexts.includes(options.context)) {
    throw new BtpError(ErrorCode.InvalidInput, `kubectl has no context "${options.context}" (it has: ${contexts.join(', ')}).`, { field: 'context' });
  }
  const current = await kubectl.currentContext();
  const context =
    options.context ??
    (await ctx.ui.ask({
      id: 'context',
      title: 'Which Kubernetes cluster (kube context) runs the connectivity proxy?',
      choices: [...contexts]
        .sort((a, b) => Number(b === current) - Number(a === current))
        .map((name) => ({ label: name, ...(name === current ? { description: 'current context', default: true } : {}), value: name })),
      flag: '--context <name>',
    }));
  if (!context) return { kind: 'cancelled' };
  ctx.ui.progress(`Looking for the connectivity proxy in context "${context}"…`);
  const proxy = await findKymaProxy(kubectl, context, options.namespace);
  let importCredentials = options.importCredentials === true || !bindings.connectivity;
  if (!importCredentials && bindings.connectivity && missingPorts(bindings.connectivity, proxy).length > 0) {
    const answer = await ctx.ui.ask({
      id: 'credentials',
      title: `The connection's connectivity key names port(s) ${missingPorts(bindings.connectivity, proxy).join(', ')}, which Service "${proxy.namespace}/${proxy.service}" does not have (it has ${proxy.ports.join(', ')}).`,
      choices: [{ label: "Import the connectivity proxy's own service key from the cluster", value: true }],
      flag: '--import-credentials',
    });
    if (!answer) return { kind: 'cancelled' };
    importCredentials = true;
  }
  const mode: SavedTunnelMode = {
    kind: 'kubectl',
    namespace: proxy.namespace,
    context,
    ...(proxy.service === KYMA_PROXY.service ? {} : { target: `svc/${proxy.service}` }),
  };
  const plan: SetupPlan = {
    action: 'use',
    connection: ctx.connection,
    where: `Service "${proxy.namespace}/${proxy.service}" (ports ${proxy.ports.join(', ')}) in context "${context}"`,
    commands: [],
    mode,
    ...(importCredentials ? { imports: { secret: KYMA_PROXY.serviceKeySecret, namespace: proxy.namespace } } : {}),
  };
  if (ctx.dryRun) return { kind: 'dry-run', plan };
  if (importCredentials) {
    if (!(await ctx.ui.confirm(plan))) return { kind: 'declined', plan };
    ctx.ui.progress(`Reading the connectivity proxy's service key from secret "${proxy.namespace}/${KYMA_PROXY.serviceKeySecret}"…`);
    const connectivity = await readProxyCredentials(kubectl, proxy, proxy.namespace);
    const missing = missingPorts(connectivity, proxy);
    if (missing.length > 0) {
      throw new BtpError(
        ErrorCode.BindingInvalid,
        `The connectivity proxy's info names port(s) ${missing.join(', ')}, which its Service does not have (${proxy.ports.join(', ')}); check ConfigMap "${proxy.namespace}/${KYMA_PROXY.infoConfigMap}".`,
      );
    }
    await ctx.store.add(ctx.connection, { destination: bindings.destination, connectivity }, { replace: true });
  }
  const saved = await ctx.store.tunnel(ctx.connection);
  await ctx.store.setTunnel(ctx.connection, { mode, ...(saved?.createdApp ? { createdApp: saved.createdApp } : {}), savedAt: new Date().toISOString() });
  return { kind: 'saved', mode, plan, importedCredentials: importCredentials };
}
