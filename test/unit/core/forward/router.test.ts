import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { FindOptions, FindResult } from '../../../../src/core/destinationService/types';
import { withTenantHeader } from '../../../../src/core/destinationService/tenantHeader';
import { DestinationRouter } from '../../../../src/core/forward/router';

// How the one-port router combines the request's contract headers with the connection's own find inputs.

function requestWith(headers: Record<string, string>, url = '/'): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { url, headers: lower, rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage;
}

describe('DestinationRouter with the transparent proxy contract', () => {
  const seen: FindOptions[] = [];
  const client = {
    find: async (name: string, options: FindOptions = {}): Promise<FindResult> => {
      seen.push(options);
      return { destinationConfiguration: { Name: name, Type: 'HTTP', URL: 'http://127.0.0.1:1' } };
    },
  };
  const router = new DestinationRouter({ client, findOptions: async () => ({ userToken: 'signed-in-user' }) });

  it("keeps the signed-in user, and adds the request's inputs", async () => {
    const picked = router.pick(requestWith({ 'X-Destination-Name': 'a', 'X-Fragment-Name': 'f' }));
    assert.ok(picked.ok);
    await picked.resolver.get();
    assert.deepEqual(seen.at(-1), { userToken: 'signed-in-user', fragmentName: 'f' });
  });

  it('drops the user token when the request names a token-service tenant (the service refuses both)', async () => {
    const picked = router.pick(requestWith({ 'X-Destination-Name': 'a', 'X-Token-Service-Tenant': 'sub' }));
    assert.ok(picked.ok);
    await picked.resolver.get();
    assert.deepEqual(seen.at(-1), { tenant: 'sub' });
  });

  it('keeps resolutions apart: the same name with other inputs gets another resolver, the same inputs the same one', () => {
    const plain = router.pick(requestWith({}, '/a/x'));
    const fragment = router.pick(requestWith({ 'X-Fragment-Name': 'f' }, '/a/x'));
    const again = router.pick(requestWith({ 'X-Destination-Name': 'a', 'X-Fragment-Name': 'f' }));
    assert.ok(plain.ok && fragment.ok && again.ok);
    assert.notEqual(plain.resolver, fragment.resolver);
    assert.equal(fragment.resolver, again.resolver);
  });

  it('refuses tenant headers without tenant support (501), before any lookup', () => {
    const before = seen.length;
    const picked = router.pick(requestWith({ 'X-Destination-Name': 'a', 'X-Tenant-Id': 'zone' }));
    assert.equal(picked.ok, false);
    assert.equal(!picked.ok && picked.status, 501);
    assert.equal(seen.length, before);
  });
});

describe('DestinationRouter and X-tenant of a Common token URL', () => {
  const seen: FindOptions[] = [];
  const commonClient = {
    find: async (name: string, options: FindOptions = {}): Promise<FindResult> => {
      seen.push(options);
      const destinationConfiguration = {
        Name: name,
        Type: 'HTTP',
        URL: 'http://127.0.0.1:1',
        Authentication: 'OAuth2ClientCredentials',
        tokenServiceURLType: 'Common',
      };
      return { destinationConfiguration, authTokens: [{ type: 'Bearer', value: 't', http_header: { key: 'Authorization', value: 'Bearer t' } }] } as FindResult;
    },
  };
  // The connection's inputs as the runtime builds them: X-tenant with its own (the provider's) subdomain.
  const router = new DestinationRouter({
    client: commonClient,
    clientForTenant: () => commonClient,
    findOptions: async (destination) => withTenantHeader({}, destination, 'provider'),
  });
  const lookedUp = async (headers: Record<string, string>): Promise<FindOptions | undefined> => {
    const picked = router.pick(requestWith({ 'X-Destination-Name': 'orders', ...headers }));
    assert.ok(picked.ok);
    await picked.resolver.get();
    return seen.at(-1);
  };

  it("names the subscriber the request acts for (X-Tenant-Subdomain), never the connection's tenant", async () => {
    assert.deepEqual(await lookedUp({ 'X-Tenant-Subdomain': 'customer-a' }), { tenant: 'customer-a' });
    assert.deepEqual(await lookedUp({}), { tenant: 'provider' });
  });

  it('sends none for a tenant given by zone id (X-tenant takes a subdomain) rather than the wrong one', async () => {
    assert.deepEqual(await lookedUp({ 'X-Tenant-Id': '0b7f6c1e-1111-2222-3333-444455556666' }), {});
  });
});
