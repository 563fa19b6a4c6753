import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './sandbox';

export interface SandboxFiles {
  readonly serviceKeys: Readonly<Record<string, string>>;
  readonly vcapServices: string;
  /** VCAP_SERVICES without the xsuaa binding: the approuter then needs no `<subdomain>.localhost` name (spec §3.5). */
  readonly vcapServicesWithoutXsuaa: string;
  readonly ca: string;
  /** Form body for a client-credentials token request (`curl -d @file`): keeps the secret out of argv. */
  readonly tokenRequest: string;
  readonly users: string;
}

/**
 * Writes what an app needs to use the sandbox unchanged: one service key per binding, VCAP_SERVICES, the CA to
 * trust, the sandbox users. Files are 0600 in a 0700 folder: they hold the sandbox's (not the user's) secrets.
 */
export async function writeSandboxFiles(sandbox: Sandbox, directory: string): Promise<SandboxFiles> {
  const keysDirectory = join(directory, 'service-keys');
  await mkdir(keysDirectory, { recursive: true, mode: 0o700 });
  const write = async (path: string, content: string) => {
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const serviceKeys: Record<string, string> = {};
  for (const [name, key] of Object.entries({
    destination: sandbox.keys.destination,
    'destination-x509': sandbox.keys.destinationX509,
    connectivity: sandbox.keys.connectivity,
    xsuaa: sandbox.keys.xsuaa,
  })) {
    serviceKeys[name] = await write(join(keysDirectory, `${name}.json`), json(key));
  }
  const destination = sandbox.keys.destination;
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: String(destination.clientid),
    client_secret: String(destination.clientsecret),
  });
  const users = sandbox.identity.world.data.users.map((user) => ({
    tenant: sandbox.identity.world.tenantById(user.tenantId)?.subdomain,
    username: user.userName,
    password: user.password,
    email: user.email,
  }));
  return {
    serviceKeys,
    vcapServices: await write(join(directory, 'vcap-services.json'), json(sandbox.vcapServices)),
    vcapServicesWithoutXsuaa: await write(
      join(directory, 'vcap-services-without-xsuaa.json'),
      json(Object.fromEntries(Object.entries(sandbox.vcapServices).filter(([label]) => label !== 'xsuaa'))),
    ),
    ca: await write(join(directory, 'ca.pem'), sandbox.caPem),
    tokenRequest: await write(join(directory, 'token-request.form'), form.toString()),
    users: await write(join(directory, 'users.json'), json(users)),
  };
}
