import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { DestinationServiceClient } from '../../../src/core/destinationService/client';
import { HttpAgents } from '../../../src/core/http/agents';
import { destinationKey } from '../../support/bindingFixtures';

// A cold `forward` (or `check`) first fetches the Destination service's token, then looks the destination up. On a
// real network the second service's TCP (and TLS) handshake costs as many round trips as the token request: the
// client opens that connection while the token is on its way, and sends nothing on it before the lookup.

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

test('the first lookup opens the Destination service connection while the token request is still unanswered', async () => {
  let connectedBeforeToken: boolean | undefined;
  let sawConnection: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (sawConnection = resolve));
  const destinations = createServer((req, res) => {
    assert.equal(req.headers.authorization, 'Bearer warm-token');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ destinationConfiguration: { Name: 'api' } }));
  });
  destinations.on('connection', () => sawConnection());
  // The token service holds its answer until the Destination service has a connection, or gives up after 10 s
  // (then the assertion below fails instead of the test hanging).
  const tokens = createServer((_req, res) => {
    let bound: NodeJS.Timeout | undefined;
    void Promise.race([connected.then(() => true), new Promise<boolean>((resolve) => (bound = setTimeout(() => resolve(false), 10_000)))]).then((first) => {
      clearTimeout(bound);
      connectedBeforeToken ??= first;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'warm-token', token_type: 'bearer', expires_in: 3600 }));
    });
  });
  const [destinationPort, tokenPort] = await Promise.all([listen(destinations), listen(tokens)]);
  const agents = new HttpAgents({});
  try {
    const binding = parseCredentials(
      destinationKey({ url: `http://127.0.0.1:${tokenPort}`, uaadomain: '127.0.0.1', uri: `http://127.0.0.1:${destinationPort}` }),
      { expected: 'destination' },
    ) as DestinationBinding;
    const client = new DestinationServiceClient({ binding, agents });
    const found = await client.find('api');
    assert.equal(found?.destinationConfiguration.Name, 'api');
    assert.equal(connectedBeforeToken, true, 'the Destination service saw a connection only after the token had come');
  } finally {
    await agents.close();
    destinations.closeAllConnections();
    tokens.closeAllConnections();
    await Promise.all([new Promise((resolve) => destinations.close(resolve)), new Promise((resolve) => tokens.close(resolve))]);
  }
});
