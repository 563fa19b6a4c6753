import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBtpError, ErrorCode } from '../../../../src/core/errors';
import { NoProxyList, isLoopbackHost } from '../../../../src/core/http/noProxy';
import { OutboundNetwork } from '../../../../src/core/http/outbound';
import { parseProxyUrl, proxySettingsFromEnv, redactProxyUrl } from '../../../../src/core/http/proxySettings';

// Which requests go through the proxy: NO_PROXY as curl and undici read it, loopback never, the variables'
// precedence, and proxy URLs checked with their passwords masked.

describe('NO_PROXY', () => {
  it('matches hosts and their subdomains, with or without a leading dot or *.', () => {
    const list = new NoProxyList('corp.example, .intra.example *.svc.example');
    for (const host of ['corp.example', 'api.corp.example', 'x.intra.example', 'intra.example', 'a.svc.example']) assert.ok(list.matches(host, 443), host);
    for (const host of ['notcorp.example', 'corp.example.com', 'example']) assert.ok(!list.matches(host, 443), host);
  });

  it('limits an entry with a port to that port; * exempts everything; IPv6 with or without brackets', () => {
    const list = new NoProxyList('api.example:8443,[::2]:80, ::3');
    assert.ok(list.matches('api.example', 8443));
    assert.ok(!list.matches('api.example', 443));
    assert.ok(list.matches('[::2]', 80));
    assert.ok(list.matches('[::3]', 443));
    assert.ok(new NoProxyList('*').matches('anything.example', 1));
    assert.ok(new NoProxyList('').isEmpty);
  });

  it('loopback: localhost, *.localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped)', () => {
    for (const host of ['localhost', 'LOCALHOST', 'provider.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:7f00:1]', 'localhost.'])
      assert.ok(isLoopbackHost(host), host);
    for (const host of ['localhost.example', '128.0.0.1', '[::2]', 'mylocalhost']) assert.ok(!isLoopbackHost(host), host);
  });
});

describe('proxy settings', () => {
  it('reads lower-case variables before upper-case ones, and ignores HTTP_PROXY in a CGI process (httpoxy)', () => {
    assert.deepEqual(proxySettingsFromEnv({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', HTTP_PROXY: 'http://c:3', NO_PROXY: 'x' }), {
      httpsProxy: { value: 'http://a:1', name: 'https_proxy' },
      httpProxy: { value: 'http://c:3', name: 'HTTP_PROXY' },
      noProxy: 'x',
    });
    assert.equal(proxySettingsFromEnv({ HTTP_PROXY: 'http://evil:1', REQUEST_METHOD: 'GET' }).httpProxy, undefined);
  });

  it('takes host:port without a scheme as http://, keeps the credentials only in uri', () => {
    const endpoint = parseProxyUrl({ value: 'me%40corp:s3cret@proxy.corp:3128', name: 'HTTPS_PROXY' });
    assert.equal(endpoint.display, 'http://proxy.corp:3128');
    assert.equal(endpoint.hostPort, 'proxy.corp:3128');
    assert.equal(endpoint.credentials, 'url');
    assert.equal(endpoint.uri, 'http://me%40corp:s3cret@proxy.corp:3128/');
    assert.equal(parseProxyUrl({ value: 'https://proxy.corp', name: 'http.proxy' }).hostPort, 'proxy.corp:443');
  });

  it('refuses what is no http(s) proxy URL, naming the variable and masking the password', () => {
    for (const [value, problem] of [
      ['socks5://u:pw@h:1080', /uses socks5:\/\//],
      ['http://u:pw@h:8080/path', /has a path or query/],
      ['http://u:pw@:8080', /is not a URL|names no host/],
    ] as const) {
      assert.throws(
        () => parseProxyUrl({ value, name: 'HTTPS_PROXY' }),
        (error: unknown) => {
          assert.ok(isBtpError(error, ErrorCode.InvalidInput));
          assert.equal(error.field, 'HTTPS_PROXY');
          assert.match(error.message, problem);
          assert.doesNotMatch(error.message, /pw/);
          return true;
        },
      );
    }
    assert.equal(redactProxyUrl('http://user:pw@h:1'), 'http://***@h:1');
  });
});

describe('OutboundNetwork.route', () => {
  const network = new OutboundNetwork({
    proxy: { httpsProxy: { value: 'http://s:1', name: 'HTTPS_PROXY' }, httpProxy: { value: 'http://p:2', name: 'HTTP_PROXY' }, noProxy: 'direct.example' },
  });

  it('sends https:// to HTTPS_PROXY and http:// to HTTP_PROXY; NO_PROXY and loopback go directly', () => {
    assert.equal(network.route('https://api.example/x')?.hostPort, 's:1');
    assert.equal(network.route('http://api.example/x')?.hostPort, 'p:2');
    assert.equal(network.route('https://direct.example'), undefined);
    assert.equal(network.route('https://a.direct.example'), undefined);
    assert.equal(network.route('http://127.0.0.1:8400/oauth/token'), undefined);
    assert.equal(network.route('https://provider.localhost:8401'), undefined);
    assert.equal(network.route('http://[::1]:8403'), undefined);
  });

  it("https:// falls back to HTTP_PROXY when HTTPS_PROXY is unset (undici's rule); no variable: no proxy", () => {
    assert.equal(new OutboundNetwork({ proxy: { httpProxy: { value: 'http://p:2', name: 'HTTP_PROXY' } } }).route('https://api.example')?.source, 'HTTP_PROXY');
    const direct = new OutboundNetwork();
    assert.equal(direct.proxied, false);
    assert.equal(direct.route('https://api.example'), undefined);
  });

  it('describes itself without credentials', () => {
    const text = new OutboundNetwork({ proxy: { httpsProxy: { value: 'http://u:secret@s:1', name: 'HTTPS_PROXY' } } }).describe();
    assert.match(text, /^https → http:\/\/s:1 \(HTTPS_PROXY\); trust: Node's CAs \(\d+\)$/);
    assert.doesNotMatch(text, /secret/);
  });
});
