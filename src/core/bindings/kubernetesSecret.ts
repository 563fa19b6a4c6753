import { BtpError, ErrorCode } from '../errors';
import { isPlainObject } from './issues';
import { bindingFromFiles } from './serviceBindingRoot';
import type { ServiceBinding, ServiceKind } from './types';

/**
 * A binding from a Kubernetes Secret as `kubectl get secret <name> -o json` prints it (Kyma, SAP BTP service
 * operator): the `data` values are base64 files in the service-binding layout, `.metadata` included.
 */
export function bindingFromKubernetesSecret(secret: unknown, expected: ServiceKind): ServiceBinding {
  const name = isPlainObject(secret) && isPlainObject(secret.metadata) && typeof secret.metadata.name === 'string' ? secret.metadata.name : 'secret';
  if (!isPlainObject(secret) || !isPlainObject(secret.data)) {
    throw new BtpError(ErrorCode.BindingInvalid, `Kubernetes secret "${name}" has no "data"; is it the secret of a service binding?`, { field: 'data' });
  }
  const files = new Map<string, string>();
  for (const [key, value] of Object.entries(secret.data)) {
    if (typeof value === 'string') files.set(key, Buffer.from(value, 'base64').toString('utf8'));
  }
  const binding = bindingFromFiles(
    files,
    name,
    { source: `Kubernetes secret "${name}"`, file: (key) => `Key "${key}" of Kubernetes secret "${name}"` },
    expected,
  );
  if (!binding || binding.kind !== expected) {
    throw new BtpError(ErrorCode.BindingInvalid, `Kubernetes secret "${name}" is not a ${expected} binding.`, { field: 'type' });
  }
  return binding;
}
