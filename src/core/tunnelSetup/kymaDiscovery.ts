import { parseCredentials } from '../bindings/parseCredentials';
import type { ConnectivityBinding } from '../bindings/types';
import { BtpError, ErrorCode } from '../errors';
import type { KubectlCli } from './kubectlCli';

/**
 * Where the connectivity proxy runs in a cluster. The Kyma connectivity-proxy module (and the Connectivity Proxy for
 * Kubernetes) publish its address in ConfigMap `connectivity-proxy-info` of namespace `kyma-system`, with the keys of
 * a connectivity binding (`onpremise_proxy_host: connectivity-proxy.kyma-system.svc.cluster.local`, HTTP 20003,
 * SOCKS5 20004, RFC/LDAP 20001), and keep its own service key in Secret `connectivity-proxy-service-key`.
 */
export const KYMA_PROXY = {
  namespace: 'kyma-system',
  infoConfigMap: 'connectivity-proxy-info',
  service: 'connectivity-proxy',
  serviceKeySecret: 'connectivity-proxy-service-key',
  /** The secret's key holding the whole service key (the chart's `config.integration.connectivityService.serviceCredentialsKey`). */
  serviceKeyField: 'service_key',
} as const;

export interface KymaProxy {
  readonly context: string;
  /** Namespace and name of the proxy's Service (what `kubectl port-forward svc/<name>` needs). */
  readonly namespace: string;
  readonly service: string;
  /** The Service's ports. */
  readonly ports: readonly number[];
  /** The binding-shaped fields of `connectivity-proxy-info` (`onpremise_proxy_host`, `…_port`), when it exists. */
  readonly info: Readonly<Record<string, string>>;
}

interface ConfigMap {
  readonly data?: Record<string, string>;
}

interface Service {
  readonly spec?: { readonly ports?: readonly { readonly port?: number; readonly name?: string }[] };
}

/** Finds the connectivity proxy in `namespace` (default kyma-system) of a context: its info ConfigMap, then its Service. */
export async function findKymaProxy(kubectl: KubectlCli, context: string, namespace: string = KYMA_PROXY.namespace): Promise<KymaProxy> {
  const configMap = await kubectl.get<ConfigMap>('configmap', KYMA_PROXY.infoConfigMap, context, namespace);
  const info = configMap?.data ?? {};
  // The host is <service>.<namespace>.svc.cluster.local: kubectl port-forward needs exactly those two.
  const [service = KYMA_PROXY.service, serviceNamespace = namespace] = (info.onpremise_proxy_host ?? '').split('.');
  const found = await kubectl.get<Service>('service', service, context, serviceNamespace);
  if (!found) {
    throw new BtpError(
      ErrorCode.NotFound,
      `There is no connectivity proxy in namespace "${serviceNamespace}" of context "${context}" (no Service "${service}"${configMap ? '' : `, no ConfigMap "${KYMA_PROXY.infoConfigMap}"`}). Add the connectivity-proxy module to the Kyma cluster (Kyma dashboard → Modules → Add), or name the namespace where the Connectivity Proxy for Kubernetes runs (--namespace).`,
      { details: { context, namespace: serviceNamespace } },
    );
  }
  const ports = (found.spec?.ports ?? []).map((port) => Number(port.port)).filter((port) => Number.isInteger(port));
  return { context, namespace: serviceNamespace, service, ports, info };
}

/** The binding's ports must be ports of the Service: kubectl port-forward goes to Service ports, the host is only a label. */
export function missingPorts(binding: ConnectivityBinding, proxy: KymaProxy): number[] {
  return [binding.httpPort, ...(binding.socks5Port === undefined ? [] : [binding.socks5Port])].filter((port) => !proxy.ports.includes(port));
}

interface Secret {
  readonly data?: Record<string, string>;
}

/**
 * The connectivity proxy's own credentials as a connectivity binding, the way the proxy reads them: Secret
 * `connectivity-proxy-service-key` holds the service key either whole under `service_key` (the Helm chart) or one
 * field per key (a BTP operator ServiceBinding); the proxy's host and ports come from `connectivity-proxy-info`,
 * as applications in the cluster mount both.
 */
export async function readProxyCredentials(kubectl: KubectlCli, proxy: KymaProxy, secretNamespace: string): Promise<ConnectivityBinding> {
  const secret = await kubectl.get<Secret>('secret', KYMA_PROXY.serviceKeySecret, proxy.context, secretNamespace);
  if (!secret?.data) {
    throw new BtpError(
      ErrorCode.BindingNotFound,
      `Secret "${KYMA_PROXY.serviceKeySecret}" is missing in namespace "${secretNamespace}" of context "${proxy.context}": is the connectivity-proxy module ready? Or connect the connection again with a connectivity service key of the subaccount.`,
      {
        details: { context: proxy.context, namespace: secretNamespace },
      },
    );
  }
  const fields = Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
  const whole = fields[KYMA_PROXY.serviceKeyField];
  const credentials: Record<string, unknown> = whole === undefined ? decodeFields(fields) : parseWhole(whole);
  for (const [key, value] of Object.entries(proxy.info)) if (key.startsWith('onpremise_') && credentials[key] === undefined) credentials[key] = value;
  if (credentials.onpremise_proxy_host === undefined) credentials.onpremise_proxy_host = `${proxy.service}.${proxy.namespace}.svc.cluster.local`;
  return parseCredentials(credentials, {
    expected: 'connectivity',
    source: `Kubernetes secret "${secretNamespace}/${KYMA_PROXY.serviceKeySecret}"`,
  }) as ConnectivityBinding;
}

function parseWhole(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      return typeof record.credentials === 'object' && record.credentials !== null ? { ...(record.credentials as Record<string, unknown>) } : { ...record };
    }
  } catch {
    // Reported below without the text: it is a secret.
  }
  throw new BtpError(ErrorCode.BindingInvalid, `Key "${KYMA_PROXY.serviceKeyField}" of secret "${KYMA_PROXY.serviceKeySecret}" is not a JSON service key.`, {
    field: KYMA_PROXY.serviceKeyField,
  });
}

/** One field per key, as the BTP operator writes them; JSON-valued fields (e.g. `token-type`) are parsed back. */
function decodeFields(fields: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([key]) => !key.startsWith('.'))
      .map(([key, value]) => [key, /^[[{]/.test(value.trim()) ? tryJson(value) : value]),
  );
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
