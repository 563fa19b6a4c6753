import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';
import { signJwt } from '../../src/sandbox/base/jwt';
import { DESTINATION_INSTANCE_ID, PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID } from '../../src/sandbox/base/world';

// The fidelity checks of spec §8, 1–18, each over real loopback HTTP against the sandbox.

interface AuthToken {
  type: string;
  value: string;
  http_header?: { key: string; value: string };
  expires_in?: string;
  error?: string;
}
interface FindBody {
  owner?: { SubaccountId: string | null; InstanceId: string | null };
  destinationConfiguration: Record<string, unknown>;
  authTokens?: AuthToken[];
  certificates?: Record<string, string>[];
}

let f: SandboxFixture;
before(async () => {
  f = await startSandboxFixture();
});
after(async () => {
  await f.close();
});

const destinationKey = () => f.sandbox.keys.destination as Record<string, string>;
const ccForm = (secret = destinationKey().clientsecret ?? '') => ({
  grant_type: 'client_credentials',
  client_id: destinationKey().clientid ?? '',
  client_secret: secret,
});

describe('spec §8 checks 1–3: token service', () => {
  it('check 1: client_credentials at {url}/oauth/token returns an XSUAA-shaped JWT; a wrong secret gets 401 with OAuth error JSON', async () => {
    const response = await f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, ccForm());
    assert.equal(response.status, 200);
    const body = response.json<Record<string, unknown>>();
    assert.equal(typeof body.access_token, 'string');
    assert.equal(body.token_type, 'bearer');
    assert.equal(typeof body.expires_in, 'number');
    assert.equal(typeof body.scope, 'string');
    assert.equal(typeof body.jti, 'string');
    const claims = decodeClaims(String(body.access_token));
    assert.equal(claims.zid, PROVIDER_TENANT_ID);
    assert.equal(claims.iss, `https://provider.${f.sandbox.endpoints.uaaDomain}/oauth/token`);
    assert.deepEqual(claims.ext_attr, { enhancer: 'XSUAA', subaccountid: PROVIDER_TENANT_ID, zdn: 'provider', serviceinstanceid: DESTINATION_INSTANCE_ID });
    assert.equal(claims.client_id, destinationKey().clientid);
    assert.equal(claims.cid, destinationKey().clientid);
    assert.ok(Array.isArray(claims.aud) && claims.aud.includes(destinationKey().clientid));
    assert.ok(typeof claims.exp === 'number' && claims.exp > Date.now() / 1000);

    const refused = await f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, ccForm('wrong-secret'));
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.json(), { error: 'unauthorized', error_description: 'Bad credentials' });
  });

  it('check 2: the HTTPS uaadomain endpoint with x-zid issues a token of that tenant; an unknown zid gets 4xx', async () => {
    const url = `${f.sandbox.endpoints.tokenServiceHttpsUrl}/oauth/token`;
    const response = await f.tokenRequest(url, ccForm(), { 'x-zid': SUBSCRIBER_TENANT_ID });
    assert.equal(response.status, 200);
    const claims = decodeClaims(response.json<{ access_token: string }>().access_token);
    assert.equal(claims.zid, SUBSCRIBER_TENANT_ID);
    assert.equal((claims.ext_attr as Record<string, string>).zdn, 'subscriber');
    assert.equal(claims.iss, `https://subscriber.${f.sandbox.endpoints.uaaDomain}/oauth/token`);

    const unknown = await f.tokenRequest(url, ccForm(), { 'x-zid': '00000000-0000-4000-8000-000000000000' });
    assert.ok(unknown.status >= 400 && unknown.status < 500, `status ${unknown.status}`);
    assert.equal(typeof unknown.json<{ error: string }>().error, 'string');
  });

  it('check 3: jwt-bearer with a user assertion keeps user_name, user_id and the zid of the assertion', async () => {
    const userToken = await f.userToken('carol', 'subscriber');
    const userClaims = decodeClaims(userToken);
    const response = await f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: destinationKey().clientid ?? '',
      client_secret: destinationKey().clientsecret ?? '',
      assertion: userToken,
    });
    assert.equal(response.status, 200);
    const claims = decodeClaims(response.json<{ access_token: string }>().access_token);
    assert.equal(claims.user_name, 'carol');
    assert.equal(claims.user_id, userClaims.user_id);
    assert.equal(claims.zid, SUBSCRIBER_TENANT_ID);
    assert.equal(claims.grant_type, 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.equal(claims.client_id, destinationKey().clientid);
  });
});

describe('spec §8 checks 4–7: find-destination', () => {
  it('check 4: a subaccount destination with $skipTokenRetrieval has owner.SubaccountId, InstanceId null, string values and no authTokens key', async () => {
    const response = await f.api('/v1/destinations/internet-basic?$skipTokenRetrieval=true');
    assert.equal(response.status, 200);
    const body = response.json<FindBody>();
    assert.deepEqual(body.owner, { SubaccountId: PROVIDER_TENANT_ID, InstanceId: null });
    assert.ok(Object.values(body.destinationConfiguration).every((value) => typeof value === 'string'));
    assert.equal('authTokens' in body, false);
  });

  it('check 5: an instance destination carries owner.InstanceId, and the instance copy wins over a subaccount one of the same name', async () => {
    const onlyInstance = (await f.api('/v1/destinations/instance-api?$skipTokenRetrieval=true')).json<FindBody>();
    assert.equal(onlyInstance.owner?.InstanceId, DESTINATION_INSTANCE_ID);
    const both = (await f.api('/v1/destinations/shared-name?$skipTokenRetrieval=true')).json<FindBody>();
    assert.equal(both.owner?.InstanceId, DESTINATION_INSTANCE_ID);
    assert.equal(both.destinationConfiguration.Level, 'instance');
  });

  it('check 6: an unknown name gets 404 with exactly the body the SAP Cloud SDK matches, as application/json', async () => {
    const response = await f.api('/v1/destinations/does-not-exist');
    assert.equal(response.status, 404);
    assert.equal(response.text, '{"ErrorMessage":"Configuration with the specified name was not found"}');
    assert.match(String(response.headers['content-type']), /^application\/json/);
  });

  it('check 7: BasicAuthentication yields a Basic authToken and no error key', async () => {
    const body = (await f.api('/v1/destinations/internet-basic')).json<FindBody>();
    const expected = Buffer.from('demo:demo-password-1').toString('base64');
    assert.deepEqual(body.authTokens, [{ type: 'Basic', value: expected, http_header: { key: 'Authorization', value: `Basic ${expected}` } }]);
    assert.equal(Object.hasOwn(body.authTokens?.[0] ?? {}, 'error'), false);
  });
});

describe('spec §8 checks 8–12: authTokens per authentication type', () => {
  it('check 8: OAuth2ClientCredentials (Dedicated) gets a Bearer token from the destination token service', async () => {
    const body = (await f.api('/v1/destinations/internet-oauth-cc')).json<FindBody>();
    const token = body.authTokens?.[0];
    assert.equal(token?.type, 'Bearer');
    assert.equal(typeof token?.expires_in, 'string');
    assert.equal(token?.http_header?.key, 'Authorization');
    assert.equal(token?.http_header?.value, `Bearer ${token?.value}`);
    assert.equal(decodeClaims(token?.value ?? '').client_id, body.destinationConfiguration.clientId);
  });

  it('check 9: Common token URL: X-tenant picks the tenant, is required, is refused on Dedicated, and X-tenant with X-user-token is 400', async () => {
    const common = (await f.api('/v1/destinations/internet-oauth-cc-common', { headers: { 'x-tenant': 'subscriber' } })).json<FindBody>();
    assert.equal(decodeClaims(common.authTokens?.[0]?.value ?? '').zid, SUBSCRIBER_TENANT_ID);

    const missing = (await f.api('/v1/destinations/internet-oauth-cc-common')).json<FindBody>();
    assert.match(missing.authTokens?.[0]?.error ?? '', /X-tenant is required/);

    const dedicated = (await f.api('/v1/destinations/internet-oauth-cc', { headers: { 'x-tenant': 'subscriber' } })).json<FindBody>();
    assert.match(dedicated.authTokens?.[0]?.error ?? '', /X-tenant is not allowed/);

    const both = await f.api('/v1/destinations/internet-oauth-cc-common', { headers: { 'x-tenant': 'subscriber', 'x-user-token': await f.userToken() } });
    assert.equal(both.status, 400);
  });

  it('check 10: a failing token retrieval answers 200 with an authToken that has type "", value "" and error', async () => {
    const destination = {
      Name: 'bad-secret',
      Type: 'HTTP',
      URL: 'http://localhost:1/x',
      ProxyType: 'Internet',
      Authentication: 'OAuth2ClientCredentials',
      clientId: 'sandbox-backend-client',
      clientSecret: 'wrong',
      tokenServiceURL: `${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`,
    };
    assert.equal((await f.api('/v1/subaccountDestinations', { method: 'POST', body: destination })).status, 201);
    const response = await f.api('/v1/destinations/bad-secret');
    assert.equal(response.status, 200);
    const token = response.json<FindBody>().authTokens?.[0];
    assert.equal(token?.type, '');
    assert.equal(token?.value, '');
    assert.match(token?.error ?? '', /Retrieval of OAuth token failed/);
  });

  it('check 11: user token exchange works with X-user-token and with an exchanged user token in Authorization; without a user it is an error entry', async () => {
    const userToken = await f.userToken('alice');
    for (const name of ['internet-user-exchange', 'internet-jwt-bearer']) {
      const viaHeader = (await f.api(`/v1/destinations/${name}`, { headers: { 'x-user-token': userToken } })).json<FindBody>();
      assert.equal(decodeClaims(viaHeader.authTokens?.[0]?.value ?? '').user_name, 'alice', name);
      const noUser = (await f.api(`/v1/destinations/${name}`)).json<FindBody>();
      assert.match(noUser.authTokens?.[0]?.error ?? '', /user token is required/, name);
    }
    const exchanged = (await f.client.tokens.exchangeUserToken(userToken)).accessToken;
    const approuterStyle = (await f.api('/v1/destinations/internet-user-exchange', { token: exchanged })).json<FindBody>();
    assert.equal(decodeClaims(approuterStyle.authTokens?.[0]?.value ?? '').user_name, 'alice');
  });

  it('check 12: OAuth2RefreshToken needs X-refresh-token and then yields a Bearer token', async () => {
    const missing = (await f.api('/v1/destinations/internet-refresh-token')).json<FindBody>();
    assert.match(missing.authTokens?.[0]?.error ?? '', /X-refresh-token/);
    const backend = f.sandbox.identity.world.clientOfKind('backend');
    const alice = f.sandbox.identity.world.user(PROVIDER_TENANT_ID, 'alice');
    const login = await f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, {
      grant_type: 'password',
      client_id: backend.clientId,
      client_secret: backend.secret ?? '',
      username: 'alice',
      password: alice?.password ?? '',
    });
    const refreshToken = login.json<{ refresh_token: string }>().refresh_token;
    const found = (await f.api('/v1/destinations/internet-refresh-token', { headers: { 'x-refresh-token': refreshToken } })).json<FindBody>();
    assert.equal(found.authTokens?.[0]?.type, 'Bearer');
    assert.equal(decodeClaims(found.authTokens?.[0]?.value ?? '').user_name, 'alice');
  });
});

describe('spec §8 checks 13–15: fragments, credentials, ETags', () => {
  it('check 13: X-fragment-name merges the fragment (fragment wins) and adds FragmentName; a missing fragment is 404 unless optional', async () => {
    const merged = (
      await f.api('/v1/destinations/internet-noauth?$skipTokenRetrieval=true', { headers: { 'x-fragment-name': 'slow-backend' } })
    ).json<FindBody>();
    assert.equal(merged.destinationConfiguration.FragmentName, 'slow-backend');
    assert.equal(merged.destinationConfiguration['HTML5.Timeout'], '60000');
    assert.equal(merged.destinationConfiguration['URL.headers.X-Fragment'], 'slow-backend');
    assert.equal(merged.destinationConfiguration.URL, (await f.client.get('subaccount', 'internet-noauth')).value.URL);

    assert.equal((await f.api('/v1/destinations/internet-noauth', { headers: { 'x-fragment-name': 'nope' } })).status, 404);
    const optional = await f.api('/v1/destinations/internet-noauth', { headers: { 'x-fragment-name': 'nope', 'x-fragment-optional': 'true' } });
    assert.equal(optional.status, 200);
    assert.equal('FragmentName' in optional.json<FindBody>().destinationConfiguration, false);
  });

  it('check 14: $skipCredentials leaves out Password, clientSecret, tokenServicePassword and KeyStorePassword', async () => {
    for (const [name, secret] of [
      ['internet-basic', 'Password'],
      ['internet-oauth-cc', 'clientSecret'],
      ['internet-saml-bearer', 'tokenServicePassword'],
      ['internet-client-certificate', 'KeyStorePassword'],
    ] as const) {
      const withSecrets = (await f.api(`/v1/destinations/${name}?$skipTokenRetrieval=true`)).json<FindBody>();
      assert.equal(typeof withSecrets.destinationConfiguration[secret], 'string', `${name} has ${secret}`);
      const without = (await f.api(`/v1/destinations/${name}?$skipTokenRetrieval=true&$skipCredentials=true`)).json<FindBody>();
      assert.equal(secret in without.destinationConfiguration, false, `${name} without ${secret}`);
    }
  });

  it('check 15: single-resource GETs send an ETag; If-None-Match gives 304 with no body; a wrong If-Match gives 412', async () => {
    for (const path of ['/v1/subaccountDestinations/internet-basic', '/v1/destinations/internet-basic']) {
      const first = await f.api(path);
      const etag = String(first.headers.etag);
      assert.match(etag, /^".+"$/);
      const unchanged = await f.api(path, { headers: { 'if-none-match': etag } });
      assert.equal(unchanged.status, 304);
      assert.equal(unchanged.text, '');
      assert.equal((await f.api(path, { headers: { 'if-match': '"stale"' } })).status, 412);
    }
  });
});

describe('spec §8 checks 16–18: CRUD, certificates, authorisation', () => {
  it('check 16: CRUD status codes and bodies, list modes, paging headers and filters', async () => {
    const destination = { Name: 'check16', Type: 'HTTP', URL: 'https://example.com', ProxyType: 'Internet', Authentication: 'NoAuthentication' };
    const created = await f.api('/v1/subaccountDestinations', { method: 'POST', body: destination });
    assert.equal(created.status, 201);
    assert.equal(created.text, '');
    const duplicate = await f.api('/v1/subaccountDestinations', { method: 'POST', body: destination });
    assert.equal(duplicate.status, 409);
    assert.equal(typeof duplicate.json<{ ErrorMessage: string }>().ErrorMessage, 'string');
    const updated = await f.api('/v1/subaccountDestinations', { method: 'PUT', body: { ...destination, Description: 'changed' } });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.json(), { Count: 1 });
    assert.equal((await f.api('/v1/subaccountDestinations', { method: 'PUT', body: { ...destination, Name: 'check16-missing' } })).status, 404);
    const deleted = await f.api('/v1/subaccountDestinations/check16', { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json(), { Count: 1 });

    const subscriberToken = await f.serviceToken(SUBSCRIBER_TENANT_ID);
    const empty = await f.api('/v1/instanceDestinations', { token: subscriberToken });
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '[]');

    const names = (await f.api('/v1/subaccountDestinations?$select=Name')).json<Record<string, string>[]>();
    assert.ok(names.length > 3 && names.every((item) => Object.keys(item).join() === 'Name'));

    const page = await f.api('/v1/subaccountDestinations?$page=2&$pageSize=1&$pageCount=true&$entityCount=true');
    assert.equal(page.status, 200);
    assert.equal(page.json<unknown[]>().length, 1);
    assert.equal(page.headers['page-count'], String(names.length));
    assert.equal(page.headers['entity-count'], String(names.length));
    assert.match(String(page.headers.link), /\$page=1&\$pageSize=1>; rel='previous'.*\$page=3&\$pageSize=1>; rel='next'/);
    assert.equal((await f.api("/v1/subaccountDestinations?$page=1&$filter=Name%20in%20('a')")).status, 400);

    const inList = (await f.api("/v1/subaccountDestinations?$filter=Name%20in%20('internet-basic','internet-noauth')")).json<Record<string, string>[]>();
    assert.deepEqual(
      inList.map((item) => item.Name),
      ['internet-basic', 'internet-noauth'],
    );
    const prefixed = (await f.api("/v1/subaccountDestinations?$filter=startswith(Name,'onprem-erp')")).json<Record<string, string>[]>();
    assert.deepEqual(
      prefixed.map((item) => item.Name),
      ['onprem-erp-basic', 'onprem-erp-loc2', 'onprem-erp-principal'],
    );
  });

  it('check 17: certificates: GET by name returns {Name, Type, Content}; a missing one is 404 at both levels', async () => {
    const response = await f.api('/v1/subaccountCertificates/truststore.pem');
    assert.equal(response.status, 200);
    const certificate = response.json<Record<string, string>>();
    assert.deepEqual(Object.keys(certificate).sort(), ['Content', 'Name', 'Type']);
    assert.match(Buffer.from(certificate.Content ?? '', 'base64').toString(), /BEGIN CERTIFICATE/);
    assert.equal((await f.api('/v1/subaccountCertificates/missing.pem')).status, 404);
    assert.equal((await f.api('/v1/instanceCertificates/truststore.pem')).status, 404);
    const keys = (await f.api('/v1/subaccountCertificates/truststore.pem/publicKeys')).json<{ SubjectDN: string }[]>();
    assert.match(keys[0]?.SubjectDN ?? '', /BTP Connect Sandbox CA/);
  });

  it('check 18: no, malformed or expired bearer → 401; a valid token of a client without Destination access → 403', async () => {
    assert.equal((await f.api('/v1/subaccountDestinations', { token: null })).status, 401);
    assert.equal((await f.api('/v1/subaccountDestinations', { token: 'not-a-jwt' })).status, 401);
    const token = await f.serviceToken();
    const [header, , signature] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...decodeClaims(token), zid: SUBSCRIBER_TENANT_ID })).toString('base64url');
    assert.equal((await f.api('/v1/subaccountDestinations', { token: `${header}.${tampered}.${signature}` })).status, 401);
    const expired = signJwt(f.sandbox.identity.signingKey, { ...decodeClaims(token), exp: Math.floor(Date.now() / 1000) - 10 });
    const expiredResponse = await f.api('/v1/subaccountDestinations', { token: expired });
    assert.equal(expiredResponse.status, 401);
    assert.match(expiredResponse.text, /expired/);
    const app = f.sandbox.keys.xsuaa as Record<string, string>;
    const appToken = await f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: app.clientid ?? '',
      client_secret: app.clientsecret ?? '',
    });
    assert.equal((await f.api('/v1/subaccountDestinations', { token: appToken.json<{ access_token: string }>().access_token })).status, 403);
  });
});
