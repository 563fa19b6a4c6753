import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Who exists in the sandbox: subaccounts (tenants), OAuth clients (one per service instance binding, plus
 * backend clients that destinations point at) and users. Identifiers are fixed so that docs and screenshots
 * stay stable; secrets are random per sandbox state directory.
 */

export interface Tenant {
  /** Zone id = subaccount id (the same GUID on Cloud Foundry subaccounts). */
  readonly id: string;
  readonly subdomain: string;
  readonly name: string;
}

export type ClientKind = 'destination' | 'connectivity' | 'application' | 'backend';

export interface ClientRecord {
  readonly clientId: string;
  readonly kind: ClientKind;
  readonly xsappname: string;
  /** Secret-based clients; X.509 clients have `certificateCn` instead. */
  readonly secret?: string;
  /** Common name of the client certificate the mTLS token endpoint accepts for this client. */
  readonly certificateCn?: string;
  /** The service instance this client belongs to (destination / connectivity bindings). */
  readonly instanceId?: string;
  readonly instanceName?: string;
  readonly homeTenantId: string;
  readonly scopes: readonly string[];
}

export interface UserRecord {
  readonly tenantId: string;
  readonly userName: string;
  readonly password: string;
  readonly userId: string;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly origin: string;
}

export interface WorldData {
  readonly tenants: readonly Tenant[];
  readonly clients: readonly ClientRecord[];
  readonly users: readonly UserRecord[];
}

export const PROVIDER_TENANT_ID = '9c0e5d6a-2b1f-4c3e-8a7d-1f2e3d4c5b6a';
export const SUBSCRIBER_TENANT_ID = '5b1a7c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d';
export const DESTINATION_INSTANCE_ID = '7f3d2c1b-0a9e-4d8c-b7a6-5e4f3d2c1b0a';
export const DESTINATION_X509_INSTANCE_ID = '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
export const CONNECTIVITY_INSTANCE_ID = '6e5d4c3b-2a19-4f8e-9d7c-6b5a4e3d2c1b';

const secret = () => `${randomUUID()}$${randomBytes(18).toString('base64url')}`;

export function createWorld(): WorldData {
  const tenants: Tenant[] = [
    { id: PROVIDER_TENANT_ID, subdomain: 'provider', name: 'Provider subaccount' },
    { id: SUBSCRIBER_TENANT_ID, subdomain: 'subscriber', name: 'Subscriber subaccount' },
  ];
  const home = PROVIDER_TENANT_ID;
  const clients: ClientRecord[] = [
    {
      clientId: 'sb-clone7f3d2c1b!b101|destination-xsappname!b9',
      kind: 'destination',
      xsappname: 'clone7f3d2c1b!b101|destination-xsappname!b9',
      secret: secret(),
      instanceId: DESTINATION_INSTANCE_ID,
      instanceName: 'sandbox-destination',
      homeTenantId: home,
      scopes: ['uaa.resource'],
    },
    {
      clientId: 'sb-clone3a2b1c0d!b102|destination-xsappname!b9',
      kind: 'destination',
      xsappname: 'clone3a2b1c0d!b102|destination-xsappname!b9',
      certificateCn: 'sandbox-destination-x509',
      instanceId: DESTINATION_X509_INSTANCE_ID,
      instanceName: 'sandbox-destination-x509',
      homeTenantId: home,
      scopes: ['uaa.resource'],
    },
    {
      clientId: 'sb-clone6e5d4c3b!b103|connectivity!b17',
      kind: 'connectivity',
      xsappname: 'clone6e5d4c3b!b103|connectivity!b17',
      secret: secret(),
      instanceId: CONNECTIVITY_INSTANCE_ID,
      instanceName: 'sandbox-connectivity',
      homeTenantId: home,
      scopes: ['uaa.resource'],
    },
    {
      clientId: 'sb-btp-connect-app!t101',
      kind: 'application',
      xsappname: 'btp-connect-app!t101',
      secret: secret(),
      homeTenantId: home,
      scopes: ['openid', 'btp-connect-app!t101.Display'],
    },
    {
      clientId: 'sandbox-backend-client',
      kind: 'backend',
      xsappname: 'sandbox-backend!t102',
      secret: secret(),
      homeTenantId: home,
      scopes: ['sandbox-backend!t102.Read', 'sandbox-backend!t102.Write'],
    },
  ];
  const user = (tenantId: string, userName: string, givenName: string, familyName: string): UserRecord => ({
    tenantId,
    userName,
    password: `${userName}-${randomBytes(9).toString('base64url')}`,
    userId: randomUUID(),
    email: `${userName}@example.com`,
    givenName,
    familyName,
    origin: 'sap.default',
  });
  const users = [
    user(PROVIDER_TENANT_ID, 'alice', 'Alice', 'Anderson'),
    user(PROVIDER_TENANT_ID, 'bob', 'Bob', 'Brown'),
    user(SUBSCRIBER_TENANT_ID, 'carol', 'Carol', 'Clark'),
  ];
  return { tenants, clients, users };
}

/** Read-only lookups over `WorldData`. */
export class World {
  constructor(readonly data: WorldData) {}

  get provider(): Tenant {
    return this.tenantById(PROVIDER_TENANT_ID) ?? (this.data.tenants[0] as Tenant);
  }

  tenantById(id: string): Tenant | undefined {
    return this.data.tenants.find((tenant) => tenant.id === id);
  }

  tenantBySubdomain(subdomain: string): Tenant | undefined {
    return this.data.tenants.find((tenant) => tenant.subdomain === subdomain.toLowerCase());
  }

  client(clientId: string): ClientRecord | undefined {
    return this.data.clients.find((client) => client.clientId === clientId);
  }

  clientOfKind(kind: ClientKind, certificate = false): ClientRecord {
    const found = this.data.clients.find((client) => client.kind === kind && (client.certificateCn !== undefined) === certificate);
    if (!found) throw new Error(`sandbox world has no ${kind} client`);
    return found;
  }

  clientByCertificateCn(cn: string): ClientRecord | undefined {
    return this.data.clients.find((client) => client.certificateCn === cn);
  }

  user(tenantId: string, userName: string): UserRecord | undefined {
    return this.data.users.find((user) => user.tenantId === tenantId && user.userName === userName);
  }
}
