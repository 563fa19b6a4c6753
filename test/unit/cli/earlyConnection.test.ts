import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectEarly, takeEarlyConnection } from '../../../src/cli/earlyConnection';

// dist/cli.js opens the TCP connection to a saved connection's Destination service before it loads the CLI, only
// where the CLI will go there directly: the right connection, no proxy, no key file, no VCAP_SERVICES.

let dir: string;
let server: Server;
let uri: string;
const accepted: Socket[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-early-'));
  server = createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connection = (name: string, serviceUri: string) => ({ name, bindings: { destination: { auth: 'secret', credentials: { uri: serviceUri } } } });
  await writeFile(
    join(dir, 'connections.json'),
    JSON.stringify({ version: 1, connections: [connection('dev', uri), connection('other', 'http://127.0.0.1:1')] }),
  );
  await mkdir(join(dir, 'one'));
  await writeFile(join(dir, 'one', 'connections.json'), JSON.stringify({ version: 1, connections: [connection('dev', uri)] }));
});
after(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ BTP_CONNECT_CONFIG_DIR: dir, ...extra });

/** Runs the entry's step and takes what it left, as the CLI does when it opens the connection. */
function early(argv: string[], environment: NodeJS.ProcessEnv, target = uri): Socket | undefined {
  connectEarly(argv, environment);
  return takeEarlyConnection(new URL(target));
}

describe('connectEarly / takeEarlyConnection', () => {
  it('opens the chosen connection’s Destination service for a command that uses it, and hands it over once', async () => {
    for (const argv of [
      ['ls', '--connection', 'dev'],
      ['forward', 'orders', '-c', 'dev'],
      ['get', 'x', '--connection=dev'],
    ]) {
      const socket = early(argv, env());
      assert.ok(socket, argv.join(' '));
      if (socket.connecting) await once(socket, 'connect');
      assert.equal(socket.remotePort, Number(new URL(uri).port));
      assert.equal(takeEarlyConnection(new URL(uri)), undefined, 'handed over once');
      socket.destroy();
    }
    const named = early(['check', 'x'], env({ BTP_CONNECT_CONNECTION: 'dev' }));
    assert.ok(named, 'the variable names it');
    named.destroy();
    const only = early(['ls'], { BTP_CONNECT_CONFIG_DIR: join(dir, 'one') });
    assert.ok(only, 'the only saved connection');
    only.destroy();
    assert.equal(early(['ls'], env()), undefined, 'two saved and none chosen: the CLI asks which');
  });

  it('opens nothing where the CLI would not go there directly', () => {
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [['ls', '--connection', 'dev'], env({ HTTPS_PROXY: 'http://127.0.0.1:3128' })],
      [['ls', '--connection', 'dev'], env({ http_proxy: 'http://127.0.0.1:3128' })],
      [['ls', '--key', 'destination.json'], env({ BTP_CONNECT_CONNECTION: 'dev' })],
      [['ls', '--vcap'], env({ BTP_CONNECT_CONNECTION: 'dev' })],
      [['ls'], env({ VCAP_SERVICES: '{}' })],
      [['sandbox'], env({ BTP_CONNECT_CONNECTION: 'dev' })],
      [['connections'], env({ BTP_CONNECT_CONNECTION: 'dev' })],
      [['ls', '--connection', 'nope'], env()],
      [['ls', '--connection', 'dev'], { BTP_CONNECT_CONFIG_DIR: join(dir, 'missing') }],
    ];
    for (const [argv, environment] of cases) assert.equal(early(argv, environment), undefined, `${argv.join(' ')} ${JSON.stringify(environment)}`);
  });

  it('a connection to another host or port than the one the CLI opens is closed, not handed over', () => {
    connectEarly(['ls', '--connection', 'dev'], env());
    assert.equal(takeEarlyConnection(new URL('http://127.0.0.1:1')), undefined);
    assert.equal(takeEarlyConnection(new URL(uri)), undefined, 'and it is gone');
  });
});
