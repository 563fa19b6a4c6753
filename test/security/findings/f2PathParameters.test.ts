import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { basicToken, rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../../support/forwardHarness';
import { head } from '../../support/upgradeUpstream';

// F2 (outside attack test): `curl --path-as-is http://127.0.0.1:PORT/..;/x` reached the upstream as
// `/<base>/..;/x` with the credential. Tomcat, Jetty and Spring drop path parameters before resolving dot
// segments, so `..;` climbs out of the destination's base path there.

let h: ForwardHarness;
let forward: ForwardInfo;

before(async () => {
  h = await startForwardHarness();
  h.define('params', { Authentication: 'BasicAuthentication' }, [basicToken('f2', 'f2-password')]);
  forward = await h.start({ destination: 'params', allowWebSocket: true });
});
after(() => h.close());

const get = (path: string, extra: readonly string[] = []) =>
  rawExchange(forward.port, head([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close', ...extra]));

describe('F2 — path parameters do not hide dot segments', () => {
  const escapes = ['/..;/x', '/..;jsessionid=1/x', '/a/..;/..;/x', '/.;/x', '/%2e%2e;/x', '/..%3b/x', '/..%3B/x', '/%2E%2E%3Bfoo=bar/x', '/a/.%2e;x/y', '/..;'];

  it(`F2 — each of ${escapes.length} spellings of "..;" and ".;" gets 400 and reaches nobody`, async () => {
    for (const path of escapes) {
      const before = h.upstream.requests.length;
      const { text } = await get(path);
      assert.equal(statusOf(text), 400, path);
      assert.match(text, /BTP_LOCAL_REQUEST_REFUSED/, path);
      assert.equal(h.upstream.requests.length, before, `${path} reached the upstream`);
    }
  });

  it('F2 — the same spellings in a WebSocket upgrade get 400 too', async () => {
    for (const path of escapes) {
      const before = h.upstream.connections();
      const { text } = await get(path, [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ]);
      assert.equal(statusOf(text), 400, path);
      assert.equal(h.upstream.connections(), before, `${path} reached the upstream`);
    }
  });

  it("F2 — SAP's own matrix parameters (;v=0002, ;o=LOCAL) still pass unchanged", async () => {
    for (const path of ['/sap/opu/odata/sap/API_BP;v=0002/A_BusinessPartner', "/sap/opu/odata/sap/SRV;o=LOCAL/Items('1')", '/a;b=c/d']) {
      const { text } = await get(path);
      assert.equal(statusOf(text), 200, path);
      assert.equal(h.upstream.requests.at(-1)?.url, `/base${path}`);
    }
  });
});
