import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Agent, Client, Pool, ProxyAgent } from '../../../../src/core/http/undici';

// The core takes undici's dispatchers from their own modules so that no start pays for fetch, WebSocket and the
// mocks of undici's index (issue 18). The index also gives dispatchers their request()/connect() methods: so must we.

describe("undici's dispatchers without its index", () => {
  it('does not load the index', () => {
    const loaded = Object.keys(require.cache).filter((file) => /[\\/]node_modules[\\/]undici[\\/]index\.js$/.test(file));
    assert.deepEqual(loaded, []);
  });

  it('every dispatcher has the API methods the index would have added, and request() works', async () => {
    for (const Kind of [Agent, Client, Pool, ProxyAgent])
      for (const method of ['request', 'stream', 'pipeline', 'upgrade', 'connect'] as const)
        assert.equal(typeof (Kind.prototype as unknown as Record<string, unknown>)[method], 'function', `${Kind.name}.${method}`);
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const { statusCode, body } = await agent.request({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, path: '/x?y=1', method: 'GET' });
      assert.equal(statusCode, 200);
      assert.equal(await body.text(), 'GET /x?y=1');
    } finally {
      await agent.close();
      server.close();
    }
  });
});
