import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { basicToken, rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../../support/forwardHarness';
import { inChromium, noChromium } from '../../support/browserPage';
import { head, headersOf } from '../../support/upgradeUpstream';

// F5 (outside attack test): one-port mode (`--all`) puts every destination on one origin. HTML served by one
// destination (`/rt-noauth/evil.html`) could `fetch('/onprem-erp-basic/…')` and read it, credentials injected.
// Mitigation: every answer of a one-port forward carries `Content-Security-Policy: sandbox …` without
// `allow-same-origin`, so a document it serves runs in an opaque origin whose requests the forward refuses.

const evil = `<!doctype html><title>evil</title><script>
fetch('/secret/data').then((r) => r.text()).then((t) => { document.title = 'read:' + t; }, () => { document.title = 'blocked'; });
</script>`;

let h: ForwardHarness;
let all: ForwardInfo;
let single: ForwardInfo;

before(async () => {
  h = await startForwardHarness({
    responder: (req, res) => {
      if (req.url?.endsWith('/evil.html')) return void res.writeHead(200, { 'content-type': 'text/html' }).end(evil);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-security-policy': "default-src 'self'" }).end('secret-data');
    },
  });
  h.define('public');
  h.define('secret', { Authentication: 'BasicAuthentication' }, [basicToken('f5', 'f5-password')]);
  all = await h.start({ destination: ALL_DESTINATIONS });
  single = await h.start({ destination: 'public' });
});
after(() => h.close());

const get = (port: number, path: string) => rawExchange(port, head([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close']));

describe('F5 — one destination cannot read another through one port', () => {
  it("F5 — every answer of a one-port forward carries a sandbox CSP without allow-same-origin, added to the upstream's own", async () => {
    for (const path of ['/public/evil.html', '/secret/data']) {
      const { text } = await get(all.port, path);
      assert.equal(statusOf(text), 200, path);
      const policies = headersOf(text).get('content-security-policy') ?? [];
      const sandbox = policies.find((policy) => /(^|;)\s*sandbox\b/.test(policy));
      assert.ok(sandbox, `${path}: no sandbox policy in ${JSON.stringify(policies)}`);
      assert.doesNotMatch(sandbox, /allow-same-origin/);
      if (path === '/secret/data') assert.ok(policies.includes("default-src 'self'"), 'the upstream policy was dropped');
    }
  });

  it('F5 — a forward of one destination adds no policy (its pages are its own origin)', async () => {
    const { text } = await get(single.port, '/evil.html');
    assert.equal(headersOf(text).get('content-security-policy'), undefined);
  });

  it('F5 — in Chromium, HTML from one destination cannot read another destination through the same port', { skip: noChromium }, async () => {
    const before = h.upstream.requests.filter((request) => request.url === '/base/data').length;
    const title = await inChromium(`http://127.0.0.1:${all.port}/public/evil.html`, async (tab) => {
      await tab.waitForFunction("document.title !== 'evil'");
      return tab.title();
    });
    assert.equal(title, 'blocked');
    assert.equal(h.upstream.requests.filter((request) => request.url === '/base/data').length, before, 'the request reached the other destination');
  });
});
