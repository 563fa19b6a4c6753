// AC-07 and its one exception (issue 15): a one-port forward accepts absolute-form targets `http://<name>.dest`
// (HTTP-proxy mode, as in SAP Business Application Studio) and nothing else; CONNECT stays refused, and every other
// admission rule (Host, Origin, Sec-Fetch-Site, local token, dot segments) holds in proxy form too. Raw bytes, so
// that no client library fixes a request before it is sent; the recording upstream proves nothing went out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { createLocalToken } from '../../../src/core/forward/localToken';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../../support/forwardHarness';

let h: ForwardHarness;
let guarded: ForwardHarness;
let all: ForwardInfo;
let single: ForwardInfo;
let guardedAll: ForwardInfo;
const token = createLocalToken();

before(async () => {
  h = await startForwardHarness();
  h.define('api');
  all = await h.start({ destination: ALL_DESTINATIONS });
  single = await h.start({ destination: 'api' });
  guarded = await startForwardHarness({ localToken: token });
  guarded.define('api');
  guardedAll = await guarded.start({ destination: ALL_DESTINATIONS });
});
after(async () => {
  await h.close();
  await guarded.close();
});

const request = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n\r\n`;

async function exchange(port: number, lines: readonly string[], on: ForwardHarness = h): Promise<{ status: number; text: string; forwarded: number }> {
  const before = on.upstream.requests.length;
  const { text } = await rawExchange(port, request([...lines, 'Connection: close']));
  return { status: statusOf(text), text, forwarded: on.upstream.requests.length - before };
}

describe('AC-07 exception: http://<destination>.dest on a one-port forward', () => {
  it('is served exactly like /<destination>/…', async () => {
    const answer = await exchange(all.port, ['GET http://api.dest/x?y=1 HTTP/1.1', 'Host: api.dest']);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(h.upstream.requests.at(-1)?.url, '/base/x?y=1');
    const withPort = await exchange(all.port, ['GET http://api.dest:8080 HTTP/1.1', 'Host: api.dest:8080']);
    assert.equal(withPort.status, 200, withPort.text);
    assert.equal(h.upstream.requests.at(-1)?.url, '/base/');
  });

  it('every other absolute-form target is refused with 400 and forwards nothing', async () => {
    for (const target of [
      'http://169.254.169.254/latest/meta-data/',
      `http://127.0.0.1:${all.port}/api/x`,
      'http://evil.example/',
      'https://api.dest/x',
      'http://api.dest.evil.example/x',
      'http://api.dest@evil.example/x',
      'http://evil.example@api.dest/x',
      'http://a.b.dest/x',
      'http://.dest/x',
      'http://api%2e.dest/x',
      'http://api.dest:99999x/x',
      'http://api.dest#frag',
      `http://${'a'.repeat(201)}.dest/x`,
      'ftp://api.dest/x',
      '*',
    ]) {
      const host = /^[a-z]+:\/\/([^/]*)/.exec(target)?.[1] ?? `127.0.0.1:${all.port}`;
      const answer = await exchange(all.port, [`GET ${target} HTTP/1.1`, `Host: ${host}`]);
      assert.equal(answer.status, 400, `${target}: ${answer.text.slice(0, 300)}`);
      assert.equal(answer.forwarded, 0, target);
    }
  });

  it('a forward of one destination refuses .dest targets too', async () => {
    const answer = await exchange(single.port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest']);
    assert.equal(answer.status, 400);
    assert.equal(answer.forwarded, 0);
  });

  it('CONNECT to a .dest name is refused with 405, says to use http://<name>.dest, and closes: nothing pipelined behind it runs', async () => {
    const before = h.upstream.requests.length;
    const { text, closedByServer } = await rawExchange(
      all.port,
      request(['CONNECT api.dest:443 HTTP/1.1', 'Host: api.dest:443']) + request(['GET /api/smuggled HTTP/1.1', `Host: 127.0.0.1:${all.port}`]),
    );
    assert.equal(statusOf(text), 405);
    assert.equal(closedByServer, true);
    assert.match(text, /BTP_LOCAL_REQUEST_REFUSED/);
    assert.match(text, /use http:\/\/api\.dest\//);
    assert.equal((text.match(/HTTP\/1\.1/g) ?? []).length, 1, 'one answer only');
    assert.equal(h.upstream.requests.length, before);
    const other = await rawExchange(all.port, request(['CONNECT evil.example:443 HTTP/1.1', 'Host: evil.example:443']));
    assert.equal(statusOf(other.text), 405);
    assert.doesNotMatch(other.text, /\.dest/);
  });

  it('the Host must name the target exactly: another Host, none, or two are refused with 403', async () => {
    for (const hosts of [[`Host: 127.0.0.1:${all.port}`], ['Host: other.dest'], ['Host: api.dest:80'], [], ['Host: api.dest', 'Host: api.dest']]) {
      const answer = await exchange(all.port, ['GET http://api.dest/x HTTP/1.1', ...hosts]);
      assert.ok(answer.status === 403 || answer.status === 400, `${hosts.join(',')}: ${answer.status}`);
      assert.equal(answer.forwarded, 0, hosts.join(','));
    }
  });

  it("Origin: only the target's own origin; another .dest, the forward's own or a foreign origin are refused", async () => {
    assert.equal((await exchange(all.port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', 'Origin: http://api.dest'])).status, 200);
    for (const origin of ['http://other.dest', `http://127.0.0.1:${all.port}`, 'https://evil.example', 'null']) {
      const answer = await exchange(all.port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', `Origin: ${origin}`]);
      assert.equal(answer.status, 403, origin);
      assert.equal(answer.forwarded, 0, origin);
    }
    const crossSite = await exchange(all.port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', 'Sec-Fetch-Site: cross-site']);
    assert.equal(crossSite.status, 403);
  });

  it('dot segments are refused in proxy form as in path form', async () => {
    for (const path of ['/../x', '/a/%2e%2e/x', '/..;x/y']) {
      const answer = await exchange(all.port, [`GET http://api.dest${path} HTTP/1.1`, 'Host: api.dest']);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.forwarded, 0, path);
    }
  });

  it('X-Destination-Name cannot point a .dest request at another destination', async () => {
    h.define('other');
    const answer = await exchange(all.port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', 'X-Destination-Name: other']);
    assert.equal(answer.status, 400);
    assert.equal(answer.forwarded, 0);
  });

  it('with a local token: proxy form needs it too (407), as Bearer or as proxy Basic credentials', async () => {
    const port = guardedAll.port;
    const without = await exchange(port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest'], guarded);
    assert.equal(without.status, 407);
    assert.equal(without.forwarded, 0);
    const basic = (password: string) => `Proxy-Authorization: Basic ${Buffer.from(`btp:${password}`).toString('base64')}`;
    assert.equal((await exchange(port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', basic('wrong')], guarded)).status, 407);
    assert.equal(
      (
        await exchange(
          port,
          ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', `Proxy-Authorization: Basic ${Buffer.from(token).toString('base64')}`],
          guarded,
        )
      ).status,
      407,
    );
    assert.equal((await exchange(port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', basic(token)], guarded)).status, 200);
    assert.equal((await exchange(port, ['GET http://api.dest/x HTTP/1.1', 'Host: api.dest', `Proxy-Authorization: Bearer ${token}`], guarded)).status, 200);
    assert.equal((await exchange(port, [`GET http://api.dest/~${token}/x HTTP/1.1`, 'Host: api.dest'], guarded)).status, 200);
    assert.equal(guarded.upstream.requests.at(-1)?.headers['proxy-authorization'], undefined);
  });

  it('tenant headers on a forward without tenant support get 501 BTP_UNSUPPORTED naming it', async () => {
    const answer = await exchange(all.port, ['GET /api/x HTTP/1.1', `Host: 127.0.0.1:${all.port}`, 'X-Tenant-Subdomain: subscriber']);
    assert.equal(answer.status, 501);
    assert.match(answer.text, /BTP_UNSUPPORTED/);
    assert.match(answer.text, /X-Tenant-Subdomain and X-Tenant-Id are not supported/);
    assert.match(answer.text, /x-error-origin: Transparent Proxy/i);
    assert.equal(answer.forwarded, 0);
  });
});
