import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BtpError, ErrorCode } from '../../../src/core/errors';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { memoryDestinations } from '../../support/faultHarness';

// A port that another program holds: starting a forward on it fails with PortInUse naming the port, leaves no
// forward behind, and the same port works once it is free. (The tunnel's own listeners: tunnel/startup.)

const destinations = memoryDestinations();
let occupier: Server;
let takenPort: number;
let manager: ForwardManager;

before(async () => {
  occupier = createServer();
  occupier.listen(0, '127.0.0.1');
  await once(occupier, 'listening');
  takenPort = (occupier.address() as AddressInfo).port;
  destinations.define({ Name: 'web', Type: 'HTTP', URL: 'http://127.0.0.1:9/', ProxyType: 'Internet', Authentication: 'NoAuthentication' });
  destinations.define({ Name: 'db', Type: 'TCP', Address: '127.0.0.1:9', ProxyType: 'Internet' });
  manager = new ForwardManager({ client: destinations.client });
});
after(async () => {
  await manager.dispose();
  if (occupier.listening) await new Promise((resolve) => occupier.close(resolve));
});

describe('forward on a port in use', () => {
  for (const destination of ['web', 'db']) {
    it(`${destination}: PortInUse naming the port, no forward left, and the port works once free`, async () => {
      const refused = await manager.start({ destination, port: takenPort }).then(
        () => assert.fail('a forward started on a taken port'),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof BtpError);
      assert.equal(refused.code, ErrorCode.PortInUse);
      assert.match(refused.message, new RegExp(`Port ${takenPort} `));
      assert.deepEqual(manager.list(), []);
    });
  }

  it('after the other program lets go, the same port starts a forward', async () => {
    await new Promise((resolve) => occupier.close(resolve));
    const info = await manager.start({ destination: 'web', port: takenPort });
    assert.equal(info.port, takenPort);
    await manager.stop(info.id);
    assert.deepEqual(manager.list(), []);
  });
});
