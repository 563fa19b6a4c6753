import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../src/core/bindings/types';
import { DestinationServiceClient } from '../../src/core/destinationService/client';
import { ErrorCode, isBtpError, type BtpError } from '../../src/core/errors';
import { PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID } from '../../src/sandbox/base/world';
import { createCertificateAuthority } from '../../src/sandbox/pki';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// The core DestinationServiceClient against the sandbox over loopback HTTP: every endpoint it offers and
// every authentication type's find-destination answer.

let f: SandboxFixture;
before(async () => {
  f = await startSandboxFixture();
});
after(async () => {
  await f.close();
});

const http = (name: string, extra: Record<string, string> = {}) => ({
  Name: name,
  Type: 'HTTP',
  URL: 'https://api.example.com/v1',
  ProxyType: 'Internet',
  Authentication: 'NoAuthentication',
  ...extra,
});

async function rejects(promise: Promise<unknown>, code: string): Promise<BtpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isBtpError(error), `expected a BtpError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('DestinationServiceClient: reading', () => {
  it('lists both levels with every page', async () => {
    const subaccount = await f.client.list('subaccount');
    const names = await f.client.listNames('subaccount');
    assert.deepEqual(subaccount.map((destination) => destination.Name).sort(), [...names].sort());
    assert.ok(subaccount.some((destination) => destination.Type === 'RFC'));
    assert.deepEqual((await f.client.list('instance')).map((destination) => destination.Name).sort(), ['instance-api', 'shared-name']);
  });

  it('follows Page-Count across pages (1,005 destinations, page size 1000)', async () => {
    const token = await f.serviceToken(SUBSCRIBER_TENANT_ID);
    const many = Array.from({ length: 1005 }, (_, index) => http(`bulk-${String(index).padStart(4, '0')}`));
    assert.equal((await f.api('/v1/instanceDestinations', { method: 'POST', token, body: many })).status, 201);
    const subscriberClient = new DestinationServiceClient({ binding: f.binding, agents: f.agents, tenant: { zid: SUBSCRIBER_TENANT_ID } });
    const listed = await subscriberClient.list('instance');
    assert.equal(listed.length, 1005);
    assert.equal(new Set(listed.map((destination) => destination.Name)).size, 1005);
  });

  it('gets one destination with its ETag, and reports a missing one as NotFound with the service message', async () => {
    const { value, etag } = await f.client.get('subaccount', 'internet-basic');
    assert.equal(value.User, 'demo');
    assert.match(etag ?? '', /^".+"$/);
    const error = await rejects(f.client.get('subaccount', 'nope'), ErrorCode.NotFound);
    assert.match(error.message, /^Destination "nope" at subaccount level was not found/);
    assert.equal(error.serviceMessage, 'Configuration with the specified name was not found');
  });

  it('finds with level, ETag (304 → undefined), fragments, $skipCredentials and the v2 consume API', async () => {
    const found = await f.client.find('shared-name', { skipTokenRetrieval: true });
    assert.equal(found?.level, 'instance');
    assert.equal(await f.client.find('shared-name', { skipTokenRetrieval: true, ifNoneMatch: found?.etag }), undefined);
    const merged = await f.client.find('internet-noauth', { fragmentName: 'slow-backend', skipTokenRetrieval: true });
    assert.equal(merged?.destinationConfiguration.FragmentName, 'slow-backend');
    const noSecrets = await f.client.find('internet-basic', { skipCredentials: true, skipTokenRetrieval: true });
    assert.equal(noSecrets?.destinationConfiguration.Password, undefined);
    const subaccountCopy = await f.client.find('shared-name', { level: 'subaccount', skipTokenRetrieval: true });
    assert.equal(subaccountCopy?.destinationConfiguration.Level, 'subaccount');
    assert.equal(subaccountCopy?.owner, undefined);
    await rejects(f.client.find('instance-api', { level: 'subaccount' }), ErrorCode.NotFound);
    await rejects(f.client.find('x', { userToken: 'a', tenant: 'b' }), ErrorCode.InvalidInput);
  });
});

describe('DestinationServiceClient: find-destination for every authentication type', () => {
  const bearerFor =
    (claims: (c: Record<string, unknown>) => void) => (token: { type: string; value: string; http_header?: { key: string; value: string } }) => {
      assert.equal(token.type, 'Bearer');
      assert.equal(token.http_header?.value, `Bearer ${token.value}`);
      claims(decodeClaims(token.value));
    };
  const cases: {
    name: string;
    options?: () => Promise<Record<string, string>>;
    check: (token: { type: string; value: string; http_header?: { key: string; value: string }; error?: string } | undefined, result: unknown) => void;
  }[] = [
    { name: 'internet-noauth', check: (token) => assert.equal(token, undefined) },
    { name: 'internet-basic', check: (token) => assert.equal(token?.http_header?.value, `Basic ${Buffer.from('demo:demo-password-1').toString('base64')}`) },
    { name: 'internet-oauth-cc', check: (token) => bearerFor((claims) => assert.equal(claims.client_id, 'sandbox-backend-client'))(token as never) },
    {
      name: 'internet-oauth-cc-common',
      options: async () => ({ tenant: 'subscriber' }),
      check: (token) => bearerFor((claims) => assert.equal(claims.zid, SUBSCRIBER_TENANT_ID))(token as never),
    },
    { name: 'internet-oauth-password', check: (token) => bearerFor((claims) => assert.equal(claims.user_name, 'alice'))(token as never) },
    {
      name: 'internet-user-exchange',
      options: async () => ({ userToken: await f.userToken('bob') }),
      check: (token) => bearerFor((claims) => assert.equal(claims.user_name, 'bob'))(token as never),
    },
    {
      name: 'internet-jwt-bearer',
      options: async () => ({ userToken: await f.userToken('carol', 'subscriber') }),
      check: (token) => bearerFor((claims) => assert.equal(claims.zid, SUBSCRIBER_TENANT_ID))(token as never),
    },
    { name: 'internet-technical-user', check: (token) => bearerFor((claims) => assert.equal(claims.grant_type, 'client_credentials'))(token as never) },
    {
      name: 'internet-token-exchange',
      options: async () => ({ subjectToken: await f.userToken('alice'), subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt' }),
      check: (token) => bearerFor((claims) => assert.equal(claims.user_name, 'alice'))(token as never),
    },
    {
      name: 'internet-saml-assertion',
      options: async () => ({ userToken: await f.userToken('alice') }),
      check: (token) => {
        assert.equal(token?.type, 'SAML2.0');
        assert.match(Buffer.from(token?.value ?? '', 'base64').toString(), /<saml2:NameID[^>]*>alice</);
      },
    },
    {
      name: 'internet-saml-bearer',
      options: async () => ({ userToken: await f.userToken('alice') }),
      check: (token) => bearerFor((claims) => assert.equal(claims.user_name, 'alice'))(token as never),
    },
    {
      name: 'internet-authorization-code',
      options: async () => ({ code: 'not-issued' }),
      check: (token) => assert.match(token?.error ?? '', /Invalid authorization code/),
    },
    {
      name: 'internet-client-certificate',
      check: (token, result) => {
        assert.equal(token, undefined);
        assert.deepEqual(
          (result as { certificates?: { Name: string }[] }).certificates?.map((certificate) => certificate.Name),
          ['backend-client.p12', 'truststore.pem'],
        );
      },
    },
    {
      name: 'internet-client-certificate-pem',
      check: (token, result) => {
        assert.equal(token, undefined);
        assert.deepEqual(
          (result as { certificates?: { Name: string }[] }).certificates?.map((certificate) => certificate.Name),
          ['backend-client.pem', 'truststore.pem'],
        );
      },
    },
    { name: 'onprem-erp-principal', check: (token) => assert.equal(token, undefined) },
  ];
  for (const testCase of cases) {
    it(`${testCase.name}`, async () => {
      const options = testCase.options ? await testCase.options() : {};
      const result = await f.client.find(testCase.name, options);
      assert.ok(result);
      testCase.check(result.authTokens?.[0] as never, result);
    });
  }

  it('OAuth2TechnicalUserPropagation on an OnPremise destination puts the token in SAP-Connectivity-Technical-Authentication', async () => {
    const destination = {
      ...(await f.client.get('subaccount', 'internet-technical-user')).value,
      Name: 'onprem-technical-user',
      ProxyType: 'OnPremise',
      URL: 'http://erp.virtual:8000',
    };
    await f.client.create('subaccount', destination);
    const result = await f.client.find('onprem-technical-user');
    assert.equal(result?.authTokens?.[0]?.http_header?.key, 'SAP-Connectivity-Technical-Authentication');
  });
});

describe('DestinationServiceClient: writing', () => {
  it('creates, updates with the ETag, renames and deletes; a stale ETag is a Conflict that keeps the other change', async () => {
    await f.client.create('instance', http('lifecycle', { Description: 'v1' }));
    await rejects(f.client.create('instance', http('lifecycle')), ErrorCode.AlreadyExists);
    const read = await f.client.get('instance', 'lifecycle');
    await f.client.update('instance', { ...read.value, Description: 'someone else' });
    const conflict = await rejects(f.client.update('instance', { ...read.value, Description: 'mine' }, { etag: read.etag }), ErrorCode.Conflict);
    assert.match(conflict.message, /changed by someone else/);
    assert.equal((await f.client.get('instance', 'lifecycle')).value.Description, 'someone else');

    const fresh = await f.client.get('instance', 'lifecycle');
    await f.client.update('instance', { ...fresh.value, Description: 'mine' }, { etag: fresh.etag });
    await f.client.rename('instance', 'lifecycle', 'lifecycle-renamed');
    await rejects(f.client.get('instance', 'lifecycle'), ErrorCode.NotFound);
    assert.equal((await f.client.get('instance', 'lifecycle-renamed')).value.Description, 'mine');
    await rejects(f.client.delete('instance', 'lifecycle-renamed', { etag: '"stale"' }), ErrorCode.Conflict);
    await f.client.delete('instance', 'lifecycle-renamed');
    await rejects(f.client.delete('instance', 'lifecycle-renamed'), ErrorCode.NotFound);
  });

  it('renames and updates in one step; a stale ETag or a taken name changes nothing', async () => {
    await f.client.create('instance', http('move-me', { Description: 'v1' }));
    await f.client.create('instance', http('taken'));
    const read = await f.client.get('instance', 'move-me');
    await rejects(
      f.client.renameAndUpdate('instance', 'move-me', { ...read.value, Name: 'taken', Description: 'v2' }, { etag: read.etag }),
      ErrorCode.AlreadyExists,
    );
    await f.client.update('instance', { ...read.value, Description: 'someone else' });
    await rejects(
      f.client.renameAndUpdate('instance', 'move-me', { ...read.value, Name: 'moved', Description: 'v2' }, { etag: read.etag }),
      ErrorCode.Conflict,
    );
    await rejects(f.client.get('instance', 'moved'), ErrorCode.NotFound);
    const fresh = await f.client.get('instance', 'move-me');
    await f.client.renameAndUpdate('instance', 'move-me', { ...fresh.value, Name: 'moved', Description: 'v2' }, { etag: fresh.etag });
    await rejects(f.client.get('instance', 'move-me'), ErrorCode.NotFound);
    assert.equal((await f.client.get('instance', 'moved')).value.Description, 'v2');
    assert.equal((await f.client.get('instance', 'taken')).value.Description, undefined, 'the other destination is untouched');
  });

  it('refuses an invalid destination before sending anything, naming the field', async () => {
    const before = await f.client.listNames('subaccount');
    const error = await rejects(
      f.client.create('subaccount', { Name: 'bad name!', Type: 'HTTP', URL: 'not a url', Authentication: 'NoAuthentication' }),
      ErrorCode.InvalidInput,
    );
    assert.deepEqual(error.issues.map((issue) => issue.field).sort(), ['Name', 'URL']);
    assert.deepEqual(await f.client.listNames('subaccount'), before);
  });

  it('bulk-creates with per-item results (207 when one already exists)', async () => {
    const results = await f.client.bulk('POST', 'subaccount', [http('bulk-a'), http('internet-basic')]);
    assert.deepEqual(
      results.map((result) => [result.name, result.status]),
      [
        ['bulk-a', 201],
        ['internet-basic', 409],
      ],
    );
  });

  it('uploads, reads, lists and deletes certificates', async () => {
    const content = Buffer.from(createCertificateAuthority({ commonName: 'Extra CA' }).certPem).toString('base64');
    await f.client.createCertificate('instance', { Name: 'extra.pem', Type: 'CERTIFICATE', Content: content });
    assert.equal((await f.client.getCertificate('instance', 'extra.pem')).Content, content);
    assert.deepEqual(
      (await f.client.listCertificates('instance')).map((certificate) => certificate.Name),
      ['extra.pem'],
    );
    await f.client.deleteCertificate('instance', 'extra.pem');
    await rejects(f.client.getCertificate('instance', 'extra.pem'), ErrorCode.NotFound);
    const keys = await f.client.getCertificatePublicKeys('subaccount', 'truststore.pem');
    assert.match(keys[0]?.Content ?? '', /BEGIN PUBLIC KEY/);
  });

  it('creates, reads, replaces and deletes fragments, and find merges the stored fragment', async () => {
    assert.deepEqual(
      (await f.client.listFragments('subaccount')).map((fragment) => fragment.FragmentName),
      ['oauth-override', 'slow-backend'],
    );
    await f.client.saveFragment('subaccount', { FragmentName: 'proxy-headers', 'URL.headers.X-From': 'fragment' });
    await rejects(f.client.saveFragment('subaccount', { FragmentName: 'proxy-headers' }), ErrorCode.AlreadyExists);
    const stored = await f.client.getFragment('subaccount', 'proxy-headers');
    await f.client.saveFragment('subaccount', { ...stored.value, 'URL.headers.X-From': 'replaced' }, { update: true, etag: stored.etag });
    await rejects(f.client.saveFragment('subaccount', stored.value, { update: true, etag: stored.etag }), ErrorCode.Conflict);
    const merged = await f.client.find('internet-noauth', { fragmentName: 'proxy-headers', skipTokenRetrieval: true });
    assert.equal(merged?.destinationConfiguration['URL.headers.X-From'], 'replaced');
    await f.client.deleteFragment('subaccount', 'proxy-headers');
    await rejects(f.client.getFragment('subaccount', 'proxy-headers'), ErrorCode.NotFound);
    await rejects(f.client.saveFragment('subaccount', { FragmentName: 'bad name' }), ErrorCode.InvalidInput);
  });
});

describe('DestinationServiceClient: access', () => {
  it('works with an X.509 service key (mTLS token request at certurl)', async () => {
    const binding = parseCredentials(f.sandbox.keys.destinationX509, { expected: 'destination' }) as DestinationBinding;
    assert.equal(binding.auth.kind, 'x509');
    const client = new DestinationServiceClient({ binding, agents: f.agents });
    assert.deepEqual(await client.listNames('instance'), ['x509-instance-api']);
    assert.equal(decodeClaims((await client.tokens.clientCredentials()).accessToken).zid, PROVIDER_TENANT_ID);
  });

  it('a key of a client without Destination access gets Forbidden; a wrong secret gets TokenRejected naming the client, not the secret', async () => {
    const app = f.sandbox.keys.xsuaa as Record<string, string>;
    const foreign = parseCredentials({ ...app, uri: f.sandbox.endpoints.destinationServiceUrl }, { expected: 'destination' }) as DestinationBinding;
    await rejects(new DestinationServiceClient({ binding: foreign, agents: f.agents }).list('subaccount'), ErrorCode.Forbidden);
    const canary = 'canary-secret-7f1d9c2e';
    const wrong = parseCredentials({ ...f.sandbox.keys.destination, clientsecret: canary }, { expected: 'destination' }) as DestinationBinding;
    const error = await rejects(new DestinationServiceClient({ binding: wrong, agents: f.agents }).list('subaccount'), ErrorCode.TokenRejected);
    assert.match(error.message, /sb-clone7f3d2c1b/);
    assert.doesNotMatch(JSON.stringify({ ...error.toJSON(), message: error.message }), new RegExp(canary));
  });

  it('an unreachable service is Unreachable, naming the origin', async () => {
    const binding = parseCredentials({ ...f.sandbox.keys.destination, uri: 'http://127.0.0.1:9' }, { expected: 'destination' }) as DestinationBinding;
    const error = await rejects(new DestinationServiceClient({ binding, agents: f.agents }).list('subaccount'), ErrorCode.Unreachable);
    assert.match(error.message, /http:\/\/127\.0\.0\.1:9/);
  });
});
