import type { DestinationRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { httpTargetOf, proxyTypeOf, tcpTargetOf } from './destinationTarget';
import { assertForwardable } from './notForwardable';

export type ForwardKind = 'http' | 'tcp';

/**
 * What forward a destination gets, decided before any port is bound: RFC and PrivateLink refused with their own
 * answer (not "needs a TCP forward"), HTTP or TCP (`kind` wins) with a target it can reach, a TCP forward refused
 * where every request must carry the local token, an OnPremise one refused without a connectivity key. With a
 * fragment merged in, its Type, URL and ProxyType count as much as the destination's.
 */
export function forwardKindOf(
  name: string,
  destination: DestinationRecord,
  options: { readonly kind?: ForwardKind | undefined; readonly localToken: boolean; readonly connectivity: boolean },
): { readonly kind: ForwardKind; readonly onPremise: boolean } {
  assertForwardable(name, destination);
  const kind: ForwardKind = options.kind ?? ((destination.Type ?? 'HTTP') === 'HTTP' ? 'http' : 'tcp');
  if (kind === 'http') httpTargetOf(name, destination);
  else tcpTargetOf(name, destination);
  if (kind === 'tcp' && options.localToken) {
    throw new BtpError(
      ErrorCode.Unsupported,
      `"${name}" needs a TCP forward, and a TCP forward cannot check the local token this machine requires (it is shared by several users); forward it on a machine of your own.`,
      { field: 'requireLocalToken' },
    );
  }
  const onPremise = proxyTypeOf(destination) === 'OnPremise';
  if (onPremise && !options.connectivity) {
    throw new BtpError(ErrorCode.InvalidInput, `Destination "${name}" is OnPremise: the connection needs a connectivity service key to reach it.`, {
      field: 'connectivity',
    });
  }
  return { kind, onPremise };
}
