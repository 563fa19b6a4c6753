/**
 * The binding model: what the core needs from a Destination, Connectivity or XSUAA service key, however it
 * arrived (pasted text, key file, VCAP_SERVICES, a Kubernetes service-binding directory).
 */

export type ServiceKind = 'destination' | 'connectivity' | 'xsuaa';

export const SERVICE_KINDS: readonly ServiceKind[] = ['destination', 'connectivity', 'xsuaa'];

export type ClientAuth =
  | { readonly kind: 'secret'; readonly clientSecret: string }
  | { readonly kind: 'x509'; readonly certificate: string; readonly key: string; readonly certUrl: string };

/** Where a binding came from, as far as the source tells: VCAP entry, K8s binding directory, `cf` output. */
export interface BindingMeta {
  /** Binding name (VCAP `name`, K8s binding directory, service key name). */
  readonly name?: string | undefined;
  readonly instanceName?: string | undefined;
  readonly label?: string | undefined;
  readonly plan?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

interface BindingBase {
  readonly kind: ServiceKind;
  readonly clientId: string;
  readonly auth: ClientAuth;
  /** Token service base URL (`url`, for connectivity `token_service_url` when `url` is missing), no trailing `/`. */
  readonly url: string;
  /** `uaadomain`; when absent, the host of `url` minus its first label (port kept). */
  readonly uaaDomain: string;
  readonly identityZone?: string;
  readonly tenantId?: string;
  readonly xsappname?: string;
  /** The credentials object as given, unknown fields kept. Holds secrets: never log it unredacted. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly meta?: BindingMeta | undefined;
}

export interface DestinationBinding extends BindingBase {
  readonly kind: 'destination';
  /** Destination service base URL (`uri`), no trailing `/`. */
  readonly uri: string;
}

export interface ConnectivityBinding extends BindingBase {
  readonly kind: 'connectivity';
  readonly proxyHost: string;
  readonly httpPort: number;
  readonly socks5Port?: number;
  readonly rfcPort?: number;
  readonly ldapPort?: number;
}

export interface XsuaaBinding extends BindingBase {
  readonly kind: 'xsuaa';
}

export type ServiceBinding = DestinationBinding | ConnectivityBinding | XsuaaBinding;

export type BindingOfKind<K extends ServiceKind> = Extract<ServiceBinding, { kind: K }>;

/** The credential fields that go to the OS keychain rather than to settings. */
export const SECRET_CREDENTIAL_FIELDS = ['clientsecret', 'key'] as const;

export interface ParseOptions {
  /** The service the caller needs; a key of another service is rejected with a `wrong_kind` issue. */
  readonly expected?: ServiceKind | undefined;
  /** Where the key came from, for messages: `file "/x/key.json"`, `VCAP_SERVICES entry "my-dest"`. */
  readonly source?: string | undefined;
  readonly meta?: BindingMeta | undefined;
}

export interface ServiceKeyTextOptions extends ParseOptions {
  /** When the text is a whole VCAP_SERVICES: the binding (or instance) name to pick. */
  readonly name?: string | undefined;
}
