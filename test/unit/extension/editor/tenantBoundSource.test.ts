import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubscriberTenant } from '../../../../src/core/connections/subscriberTenant';
import type { DestinationSource } from '../../../../src/core/destinationService/source';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { tenantBoundSource, type TenantRegistry } from '../../../../src/extension/editor/tenantBoundSource';

/** A registry whose connection acts for `tenant` and hands out the client of that moment. */
function registry(start: SubscriberTenant | undefined) {
  const calls: string[] = [];
  let tenant = start;
  let generation = 0;
  const client = (id: number) =>
    ({
      get: async (_level: string, name: string) => (calls.push(`get ${name} on client ${id}`), { value: { Name: name } }),
      update: async (_level: string, record: { Name: string }) => (calls.push(`update ${record.Name} on client ${id}`), {}),
    }) as unknown as DestinationSource;
  const fake: TenantRegistry = {
    get: async () => ({ client: client(generation), tenant }),
  };
  return {
    fake,
    calls,
    switchTo(next: SubscriberTenant | undefined) {
      tenant = next;
      generation++;
    },
  };
}

describe('tenantBoundSource: an editor talks to the tenant it was opened for, or to none', () => {
  it('reads and writes through the connection’s current client while the tenant is the same', async () => {
    const { fake, calls, switchTo } = registry({ subdomain: 'customer-a' });
    const source = tenantBoundSource(fake, { connection: 'dev', tenant: 'customer-a' }, (client) => client);
    await source.get('subaccount', 'orders');
    switchTo({ subdomain: 'customer-a' });
    await source.update('subaccount', { Name: 'orders' }, {});
    assert.deepEqual(calls, ['get orders on client 0', 'update orders on client 1']);
  });

  it('after a switch to another tenant or to the provider, refuses every call with BTP_TENANT_CHANGED and sends nothing', async () => {
    const { fake, calls, switchTo } = registry(undefined);
    const source = tenantBoundSource(fake, { connection: 'dev' }, (client) => client);
    switchTo({ subdomain: 'customer-a' });
    await assert.rejects(source.update('subaccount', { Name: 'orders' }, {}), (error: unknown) => {
      assert.ok(isBtpError(error, ErrorCode.TenantChanged));
      assert.match(error.message, /opened while "dev" acted for the provider; it now acts for tenant "customer-a"/);
      assert.deepEqual(error.details, { opened: null, now: 'customer-a' });
      return true;
    });
    const forSubscriber = tenantBoundSource(fake, { connection: 'dev', tenant: 'customer-a' }, (client) => client);
    switchTo({ zid: '0b7f6c1e-1111-2222-3333-444455556666' });
    await assert.rejects(forSubscriber.get('subaccount', 'orders'), (error: unknown) => isBtpError(error, ErrorCode.TenantChanged));
    assert.deepEqual(calls, []);
  });
});
