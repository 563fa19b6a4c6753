import { bindingsFromServiceBindingRoot } from './serviceBindingRoot';
import { readTextFile } from './serviceKeyFile';
import type { ServiceBinding } from './types';
import { bindingsFromVcapServices } from './vcap';

/**
 * Bindings from the process environment in @sap/xsenv's order: `VCAP_SERVICES_FILE_PATH` (a file holding the
 * VCAP JSON) else `VCAP_SERVICES`; when that yields no destination, connectivity or xsuaa binding,
 * the directories under `SERVICE_BINDING_ROOT`. Blank variables count as unset.
 */
export async function loadBindingsFromEnv(env: NodeJS.ProcessEnv): Promise<ServiceBinding[]> {
  const filePath = env.VCAP_SERVICES_FILE_PATH?.trim();
  const vcapText = env.VCAP_SERVICES;
  let bindings: ServiceBinding[] = [];
  if (filePath) {
    const text = await readTextFile(filePath, 'VCAP_SERVICES_FILE_PATH file');
    bindings = bindingsFromVcapServices(text, { source: `VCAP_SERVICES_FILE_PATH file "${filePath}"` });
  } else if (vcapText !== undefined && vcapText.trim() !== '') {
    bindings = bindingsFromVcapServices(vcapText, { source: 'VCAP_SERVICES' });
  }
  if (bindings.length > 0) return bindings;
  const root = env.SERVICE_BINDING_ROOT?.trim();
  return root ? bindingsFromServiceBindingRoot(root) : [];
}
