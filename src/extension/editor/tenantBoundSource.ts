import { tenantText, type SubscriberTenant } from '../../core/connections/subscriberTenant';
import type { DestinationSource } from '../../core/destinationService/source';
import { BtpError, ErrorCode } from '../../core/errors';
import type { EditorSource } from './fragmentSource';

/** The registry call an editor's source makes: the connection open now, with the tenant its client acts for. */
export interface TenantRegistry {
  get(connection: string): Promise<{ readonly client: DestinationSource; readonly tenant?: SubscriberTenant | undefined }>;
}

/**
 * An editor's calls to the Destination service, each made with the connection's current client and only while the
 * connection still acts for the tenant the editor was opened for (`tenant`, as in its URI; none: the provider).
 * Switched meanwhile, every read and write is refused with BTP_TENANT_CHANGED: nothing reaches the other tenant.
 */
export function tenantBoundSource(
  registry: TenantRegistry,
  address: { readonly connection: string; readonly tenant?: string },
  adapt: (client: DestinationSource) => EditorSource,
): EditorSource {
  const current = async (): Promise<EditorSource> => adapt(await tenantBoundClient(registry, address));
  return {
    get: async (...args) => (await current()).get(...args),
    create: async (...args) => (await current()).create(...args),
    update: async (...args) => (await current()).update(...args),
    renameAndUpdate: async (...args) => (await current()).renameAndUpdate(...args),
    listCertificates: async (...args) => (await current()).listCertificates(...args),
  };
}

/** The connection's current client, refused with BTP_TENANT_CHANGED when it acts for another tenant than `address`'s. */
export async function tenantBoundClient(
  registry: TenantRegistry,
  address: { readonly connection: string; readonly tenant?: string },
): Promise<DestinationSource> {
  // The tenant of the very connection whose client is used (not connections.json, which the CLI may have changed).
  const connection = await registry.get(address.connection);
  const now = connection.tenant ? tenantText(connection.tenant) : undefined;
  if (now !== address.tenant) throw tenantChanged(address.connection, address.tenant, now);
  return connection.client;
}

function tenantChanged(connection: string, opened: string | undefined, now: string | undefined): BtpError {
  const name = (tenant: string | undefined) => (tenant === undefined ? 'the provider' : `tenant "${tenant}"`);
  return new BtpError(
    ErrorCode.TenantChanged,
    `This editor was opened while "${connection}" acted for ${name(opened)}; it now acts for ${name(now)}. Nothing was read or written. Act for ${name(opened)} again to save this editor's changes, or close it and open the destination from the tree.`,
    { field: 'tenant', details: { opened: opened ?? null, now: now ?? null } },
  );
}
