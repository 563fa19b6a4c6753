import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createSigningKey, signingKeyFromPem, signingKeyToPem, type SigningKey } from './jwt';
import { AtomicJsonFile } from '../../core/fs/atomicJsonFile';
import { createCertificateAuthority, issueClientCertificate, type KeyPairPem } from '../pki';
import { createWorld, World, type WorldData } from './world';

/** The long-lived part of a sandbox: who exists, the token signing key, the CA and the X.509 client certs. */
export interface SandboxIdentity {
  readonly world: World;
  readonly signingKey: SigningKey;
  readonly ca: KeyPairPem;
  /** Client certificates of X.509 clients, by certificate common name. */
  readonly clientCertificates: Readonly<Record<string, KeyPairPem>>;
  /** What emulated Cloud Connectors present to register at the connectivity proxy's tunnel port. */
  readonly connectorSecret: string;
  /** Origins the stored destinations were written with (to rebase them when ports change). */
  readonly origins: Readonly<Record<string, string>>;
  saveOrigins(origins: Record<string, string>): Promise<void>;
}

interface IdentityFile {
  version: 1;
  world: WorldData;
  signingKey: { kid: string; pem: string };
  ca: KeyPairPem;
  clientCertificates: Record<string, KeyPairPem>;
  origins: Record<string, string>;
  /** Absent in state written before the connectivity proxy existed; added on first load. */
  connectorSecret?: string;
}

/** Loads `identity.json` from the state directory, or creates a fresh identity (in memory when no directory). */
export async function loadOrCreateIdentity(directory: string | undefined): Promise<SandboxIdentity> {
  let file: AtomicJsonFile | undefined;
  let data: IdentityFile | undefined;
  if (directory) {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    file = new AtomicJsonFile(join(directory, 'identity.json'));
    data = (await file.read()) as IdentityFile | undefined;
    if (data !== undefined && data.version !== 1) throw new Error(`${file.path} was written by another sandbox version`);
  }
  if (!data) {
    data = createIdentity();
    await file?.write(data);
  } else if (data.connectorSecret === undefined) {
    data.connectorSecret = newConnectorSecret();
    await file?.write(data);
  }
  const current = data;
  const connectorSecret = data.connectorSecret ?? newConnectorSecret();
  return {
    world: new World(current.world),
    signingKey: signingKeyFromPem(current.signingKey.kid, current.signingKey.pem),
    ca: current.ca,
    clientCertificates: current.clientCertificates,
    connectorSecret,
    origins: current.origins,
    async saveOrigins(origins) {
      current.origins = origins;
      await file?.write(current);
    },
  };
}

function createIdentity(): IdentityFile {
  const world = createWorld();
  const key = createSigningKey();
  const ca = createCertificateAuthority({ commonName: 'BTP Connect Sandbox CA', organization: 'BTP Connect sandbox' });
  const clientCertificates: Record<string, KeyPairPem> = {};
  for (const client of world.clients) {
    if (client.certificateCn) {
      clientCertificates[client.certificateCn] = issueClientCertificate(ca, { commonName: client.certificateCn, organization: 'BTP Connect sandbox' });
    }
  }
  return {
    version: 1,
    world,
    signingKey: { kid: key.kid, pem: signingKeyToPem(key) },
    ca,
    clientCertificates,
    origins: {},
    connectorSecret: newConnectorSecret(),
  };
}

function newConnectorSecret(): string {
  return randomBytes(32).toString('base64url');
}
