import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../../src/core/bindings/types';
import { ConnectionStore } from '../../../../src/core/connections/connectionStore';
import { parseSubscriberTenant, readSubscriberTenant, tenantText } from '../../../../src/core/connections/subscriberTenant';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { userSecretKey } from '../../../../src/core/secrets/secretKeys';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { destinationKey } from '../../../support/bindingFixtures';

// The subscriber tenant a connection acts for: how it is typed, and how connections.json keeps it.

const destination = parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding;
const guid = '5b1a7c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-tenant-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseSubscriberTenant', () => {
  it('takes a DNS label as subdomain, a GUID as tenant id, and prefixes for the other forms', () => {
    assert.deepEqual(parseSubscriberTenant('Customer-A'), { subdomain: 'customer-a' });
    assert.deepEqual(parseSubscriberTenant(` ${guid.toUpperCase()} `), { zid: guid });
    assert.deepEqual(parseSubscriberTenant('id:zone_1.x'), { zid: 'zone_1.x' });
    assert.deepEqual(parseSubscriberTenant(`subdomain:${guid}`), { subdomain: guid });
    assert.equal(tenantText({ subdomain: 'customer-a' }), 'customer-a');
    assert.equal(tenantText({ zid: guid }), `id:${guid}`);
    assert.deepEqual(parseSubscriberTenant(tenantText({ zid: guid })), { zid: guid });
  });

  it('refuses what is neither, naming the field and the forms that work', () => {
    for (const text of ['', 'a.b', '-x', 'sub domain', 'x'.repeat(64), 'id:', 'id:a b']) {
      assert.throws(
        () => parseSubscriberTenant(text, 'tenant'),
        (error: unknown) => isBtpError(error, ErrorCode.InvalidInput) && error.field === 'tenant' && /subdomain/.test(error.message),
        text,
      );
    }
  });

  it('reads back only what it would write', () => {
    assert.deepEqual(readSubscriberTenant({ subdomain: 'sub' }), { subdomain: 'sub' });
    assert.deepEqual(readSubscriberTenant({ zid: guid }), { zid: guid });
    for (const value of [undefined, null, 'sub', {}, { subdomain: 'sub', zid: guid }, { subdomain: 'a b' }, { zid: 7 }])
      assert.equal(readSubscriberTenant(value), undefined, JSON.stringify(value));
  });
});

describe('ConnectionStore: the tenant of a connection', () => {
  it('is saved in connections.json, listed, kept when the keys are replaced, and removed with --provider', async () => {
    const connections = new ConnectionStore(new MemorySecretStore(), join(dir, 'saved'));
    await connections.add('dev', { destination });
    assert.equal(await connections.tenant('dev'), undefined);
    await connections.setTenant('dev', { subdomain: 'customer-a' });
    assert.deepEqual(await connections.tenant('dev'), { subdomain: 'customer-a' });
    assert.deepEqual((await connections.list())[0]?.tenant, { subdomain: 'customer-a' });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'saved', 'connections.json'), 'utf8')).connections[0].tenant, { subdomain: 'customer-a' });
    await connections.add('dev', { destination }, { replace: true });
    assert.deepEqual(await connections.tenant('dev'), { subdomain: 'customer-a' });
    await connections.setTenant('dev', undefined);
    assert.equal(await connections.tenant('dev'), undefined);
    assert.equal((await connections.list())[0]?.tenant, undefined);
  });

  it('signs the user out when the tenant changes (the tokens are of the other zone), not when it stays', async () => {
    const secrets = new MemorySecretStore();
    const connections = new ConnectionStore(secrets, join(dir, 'signout'));
    await connections.add('dev', { destination });
    const refresh = userSecretKey('dev', 'refresh_token');
    await secrets.set(refresh, 'refresh-1');
    await connections.setTenant('dev', undefined);
    assert.equal(await secrets.get(refresh), 'refresh-1');
    await connections.setTenant('dev', { zid: guid });
    assert.equal(await secrets.get(refresh), undefined);
    await secrets.set(refresh, 'refresh-2');
    await connections.setTenant('dev', { zid: guid });
    assert.equal(await secrets.get(refresh), 'refresh-2');
  });

  it('refuses an unknown connection, and ignores a tenant entry it did not write', async () => {
    const connections = new ConnectionStore(new MemorySecretStore(), join(dir, 'unknown'));
    await assert.rejects(connections.setTenant('nope', { subdomain: 'x' }), (error: unknown) => isBtpError(error, ErrorCode.ConnectionNotFound));
    await connections.add('dev', { destination });
    const file = join(dir, 'unknown', 'connections.json');
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.connections[0].tenant = { subdomain: 'evil host/x' };
    await writeFile(file, JSON.stringify(data));
    assert.equal(await connections.tenant('dev'), undefined);
  });
});
