import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationBinding } from '../../../../src/core/bindings/types';
import { needsTenantHeader, tenantHeaderSubdomain, withTenantHeader } from '../../../../src/core/destinationService/tenantHeader';

const common = { Name: 'api', Authentication: 'OAuth2ClientCredentials', tokenServiceURLType: 'Common' };
const binding = (extra: Partial<DestinationBinding>): DestinationBinding =>
  ({
    kind: 'destination',
    url: 'https://acme-dev.authentication.eu10.hana.ondemand.com',
    uaaDomain: 'authentication.eu10.hana.ondemand.com',
    ...extra,
  }) as DestinationBinding;

describe('X-tenant for client credentials with a Common token URL (spec §3.4)', () => {
  it('only OAuth2ClientCredentials with tokenServiceURLType Common needs it', () => {
    assert.equal(needsTenantHeader(common), true);
    assert.equal(needsTenantHeader({ ...common, tokenServiceURLType: 'Dedicated' }), false);
    assert.equal(needsTenantHeader({ ...common, Authentication: 'OAuth2UserTokenExchange' }), false);
    assert.equal(needsTenantHeader(undefined), false);
  });

  it('takes the place of the user token (the service refuses both), keeps the other inputs, leaves other destinations alone', () => {
    const inputs = { userToken: 'user-jwt', fragmentName: 'f' };
    assert.deepEqual(withTenantHeader(inputs, common, 'acme-dev'), { fragmentName: 'f', tenant: 'acme-dev' });
    assert.equal(withTenantHeader(inputs, { ...common, tokenServiceURLType: 'Dedicated' }, 'acme-dev'), inputs);
    assert.equal(withTenantHeader(inputs, common, undefined), inputs, 'no subdomain known: nothing to send');
  });

  it("names the subscriber's subdomain, else the key's identityzone, else url's first label under uaadomain", () => {
    assert.equal(tenantHeaderSubdomain(binding({ identityZone: 'zone' }), { subdomain: 'customer-a' }), 'customer-a');
    assert.equal(tenantHeaderSubdomain(binding({ identityZone: 'zone' }), undefined), 'zone');
    assert.equal(tenantHeaderSubdomain(binding({}), undefined), 'acme-dev');
    assert.equal(tenantHeaderSubdomain(binding({ url: 'https://elsewhere.example' }), undefined), undefined);
    assert.equal(tenantHeaderSubdomain(binding({}), { zid: '0b7f6c1e-1111-2222-3333-444455556666' }), undefined, 'a zone id is no subdomain');
  });
});
