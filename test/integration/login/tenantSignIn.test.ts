import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request, type Dispatcher } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { XsuaaBinding } from '../../../src/core/bindings/types';
import { UserSession } from '../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';
import { location, password, type Page } from '../../support/loginBrowser';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// A connection acting for a subscriber tenant signs its user in at the tenant's subdomain of uaadomain (as XSUAA
// serves each tenant): the sandbox's subscriber user gets a token of the subscriber's zone.

let f: SandboxFixture;
let login: XsuaaBinding;
before(async () => {
  f = await startSandboxFixture();
  login = parseCredentials(f.sandbox.keys.xsuaa, { expected: 'xsuaa' }) as XsuaaBinding;
});
after(async () => {
  await f.close();
});

/** A headless browser that trusts the sandbox CA (the tenant's sign-in page is HTTPS on <subdomain>.localhost). */
async function open(url: string, dispatcher: Dispatcher, init: { method?: 'GET' | 'POST'; body?: string } = {}): Promise<Page> {
  const response = await request(url, {
    method: init.method ?? 'GET',
    dispatcher,
    ...(init.body ? { body: init.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

describe('sign-in for a subscriber tenant', () => {
  it("opens the tenant's sign-in page on its subdomain and brings back a token of the tenant's zone", async () => {
    const session = new UserSession({
      connection: 'sb',
      binding: login,
      agents: f.agents,
      secrets: new MemorySecretStore(),
      tenant: { subdomain: 'subscriber' },
    });
    const opened: string[] = [];
    const user = await session.signIn({
      openBrowser: async (url) => {
        opened.push(url);
        const dispatcher = f.agents.default;
        const form = await open(url, dispatcher);
        assert.match(form.text, /Sign in to Subscriber subaccount/);
        const formId = /name="form_id" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
        const body = new URLSearchParams({ form_id: formId, username: 'carol', password: password(f.sandbox, 'carol', 'subscriber') }).toString();
        const submitted = await open(new URL('/oauth/authorize', url).toString(), dispatcher, { method: 'POST', body });
        await open(location(submitted), dispatcher);
      },
    });
    assert.equal(new URL(opened[0] ?? '').hostname, 'subscriber.localhost');
    assert.equal(user.userName, 'carol');
    assert.equal(user.zoneId, SUBSCRIBER_TENANT_ID);
    session.dispose();
  });
});
