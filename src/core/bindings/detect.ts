import { isPresent } from './issues';
import type { ServiceKind } from './types';

/** Which service a credentials object is for, and the field that tells. */

/** The field that identifies each kind (xsuaa only by elimination: its `xsappname` is in every key). */
export const KIND_MARKER: Readonly<Record<ServiceKind, string>> = {
  connectivity: 'onpremise_proxy_host',
  destination: 'uri',
  xsuaa: 'xsappname',
};

export const KIND_REQUIREMENTS =
  'a destination key has "uri", a connectivity key has "onpremise_proxy_host", and an xsuaa key has "xsappname" (and neither of the other two), but this key has none of them';

/** `onpremise_proxy_host` → connectivity; `uri` → destination; `xsappname` → xsuaa; else unknown. */
export function detectKind(credentials: Readonly<Record<string, unknown>>): ServiceKind | undefined {
  if (isPresent(credentials.onpremise_proxy_host)) return 'connectivity';
  if (isPresent(credentials.uri)) return 'destination';
  if (isPresent(credentials.xsappname)) return 'xsuaa';
  return undefined;
}

/** `destination service key`, or `service key` when the kind is unknown. */
export function keyPhrase(kind: ServiceKind | undefined): string {
  return kind === undefined ? 'service key' : `${kind} service key`;
}

/** `a destination`, `an xsuaa`. */
export function withArticle(kind: ServiceKind): string {
  return kind === 'xsuaa' ? `an ${kind}` : `a ${kind}`;
}
