import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { basicToken, rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../../support/forwardHarness';
import { inChromium, noChromium, servePage } from '../../support/browserPage';
import { head } from '../../support/upgradeUpstream';

// F4 (outside attack test): `Sec-Fetch-Site: same-site` passed. For IP-literal and `localhost` hosts every port
// is the same site, so a page on another loopback port (`http://127.0.0.1:OTHER/`) made credentialed GETs through
// a forward with `<img src>` and GET-form navigation. Only `same-origin`, `none` and no Sec-Fetch-Site at all
// (non-browser clients) may pass.

let h: ForwardHarness;
let forward: ForwardInfo;

before(async () => {
  h = await startForwardHarness();
  h.define('site', { Authentication: 'BasicAuthentication' }, [basicToken('f4', 'f4-password')]);
  forward = await h.start({ destination: 'site' });
});
after(() => h.close());

const get = (extra: readonly string[]) =>
  rawExchange(forward.port, head([`GET /x HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close', ...extra]));

describe('F4 — only same-origin browser requests pass', () => {
  it('F4 — Sec-Fetch-Site: same-site (any letter case) gets 403 and reaches nobody', async () => {
    for (const value of ['same-site', 'Same-Site', 'cross-site', 'something-new']) {
      const before = h.upstream.requests.length;
      const { text } = await get([`Sec-Fetch-Site: ${value}`]);
      assert.equal(statusOf(text), 403, value);
      assert.match(text, /BTP_LOCAL_REQUEST_REFUSED/);
      assert.equal(h.upstream.requests.length, before, `${value} reached the upstream`);
    }
  });

  it('F4 — same-origin, none and no Sec-Fetch-Site at all pass', async () => {
    for (const extra of [['Sec-Fetch-Site: same-origin'], ['Sec-Fetch-Site: none'], []]) {
      const before = h.upstream.requests.length;
      const { text } = await get(extra);
      assert.equal(statusOf(text), 200, extra.join());
      assert.equal(h.upstream.requests.length, before + 1);
    }
  });

  it('F4 — in Chromium, a page on another loopback port reaches nothing through <img> or a GET form', { skip: noChromium }, async () => {
    const target = `http://127.0.0.1:${forward.port}/steal`;
    const page = await servePage(
      `<!doctype html><img id=i src="${target}?via=img" onerror="document.title='img-done'" onload="document.title='img-done'">` +
        `<form id=f method=GET action="${target}"><input name=via value=form></form>`,
    );
    try {
      const before = h.upstream.requests.length;
      await inChromium(page.url, async (tab) => {
        await tab.waitForFunction("document.title === 'img-done'");
        const [response] = await Promise.all([tab.waitForNavigation(), tab.evaluate("document.getElementById('f').submit()")]);
        assert.equal(response?.status(), 403, 'the form navigation was refused');
      });
      // Once the refused answer is shown, Chromium may ask the forward's origin for its favicon: the browser's own
      // same-origin request, not the page's.
      const seen = h.upstream.requests
        .slice(before)
        .map((request) => request.url)
        .filter((url) => url !== '/base/favicon.ico');
      assert.deepEqual(seen, [], 'the upstream received requests from another origin');
    } finally {
      await page.close();
    }
  });

  it("F4 — in Chromium, the forward still serves a page the user opens and the page's own requests", { skip: noChromium }, async () => {
    const before = h.upstream.requests.length;
    await inChromium(`http://127.0.0.1:${forward.port}/opened`, async (tab) => {
      const status = await tab.evaluate(async () => (await fetch('/same-origin-fetch')).status);
      assert.equal(status, 200);
    });
    // Chromium may or may not ask for a favicon meanwhile.
    const seen = h.upstream.requests
      .slice(before)
      .map((request) => request.url)
      .filter((url) => url !== '/base/favicon.ico');
    assert.deepEqual(seen, ['/base/opened', '/base/same-origin-fetch']);
  });
});
