import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProxyAgent, request } from 'undici';
import { ExitCode } from '../../src/cli/exitCodes';
import { runCli, runForwardUntil } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';
import { posixFileModes } from '../support/platform';

// `btp-connect forward` in-process: ports announced, traffic flows (Internet and OnPremise), Ctrl-C stops it.

let f: SandboxFixture;
let dir: string;

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-forward-cli-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `forward` until `use` has finished with the announced addresses, then "presses Ctrl-C". */
function forward(args: string[], use: (addresses: string[]) => Promise<void>) {
  // A private config folder: forwards remember paths that worked (recent-paths.json), never in the user's own.
  return runForwardUntil(args, { cwd: dir, env: { BTP_CONNECT_LOCAL_TOKEN: 'off', BTP_CONNECT_CONFIG_DIR: join(dir, 'config') } }, use);
}

describe('btp-connect forward', () => {
  it('announces each forward and carries Internet and OnPremise traffic until stopped', async () => {
    const result = await forward(
      ['internet-basic', 'onprem-erp-basic', 'onprem-tcp-db', '--key', 'destination.json', '--connectivity-key', 'connectivity.json', '--verbose'],
      async ([internet, erp, tcp]) => {
        const echoed = (await (await request(`${internet}/hi`)).body.json()) as { headers: Record<string, string> };
        assert.match(echoed.headers.authorization ?? '', /^Basic /);
        const partners = await request(`${erp}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
        assert.equal(partners.statusCode, 200);
        await partners.body.dump();
        assert.match(tcp ?? '', /^127\.0\.0\.1:\d+$/);
      },
    );
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /→ onprem-erp-basic \(HTTP, OnPremise via the connectivity proxy\) {2}ready/);
    assert.match(result.stdout, /→ onprem-tcp-db \(TCP, OnPremise via the connectivity proxy\) {2}ready/);
    assert.match(result.stdout, /internet-basic: GET \/hi → 200/);
  });

  it('--all: one port for every destination, next to named forwards', async () => {
    const result = await forward(
      ['--all', 'internet-noauth', '--key', 'destination.json', '--connectivity-key', 'connectivity.json', '--verbose'],
      async ([all, noauth]) => {
        const basic = (await (await request(`${all}/internet-basic/hi`)).body.json()) as { path: string; headers: Record<string, string> };
        assert.equal(basic.path, '/internet-basic/hi');
        assert.match(basic.headers.authorization ?? '', /^Basic /);
        const partners = await request(`${all}/onprem-erp-basic/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
        assert.equal(partners.statusCode, 200);
        await partners.body.dump();
        const named = await request(`${noauth}/x`);
        assert.equal(named.statusCode, 200);
        await named.body.dump();
        // The same port as HTTP proxy for http://<destination>.dest.
        const proxy = new ProxyAgent({ uri: all ?? '', proxyTunnel: false });
        const proxied = (await (await request('http://internet-basic.dest/via-proxy', { dispatcher: proxy })).body.json()) as { path: string };
        await proxy.close();
        assert.equal(proxied.path, '/internet-basic/via-proxy');
      },
    );
    assert.match(result.stdout, /as an HTTP proxy: http_proxy=http:\/\/127\.0\.0\.1:\d+ curl http:\/\/<destination>\.dest\//);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /→ all destinations \(HTTP, \/<destination>\/… or X-Destination-Name\) {2}ready/);
    assert.match(result.stdout, /^onprem-erp-basic: GET \/sap\/opu\/odata\/sap\/API_BUSINESS_PARTNER\/A_BusinessPartner → 200/m);
    assert.match(result.stdout, /^internet-basic: GET \/hi → 200/m);
    const withTcp = await runCli(['forward', '--all', '--tcp', '--key', 'destination.json'], { cwd: dir, env: {} });
    assert.equal(withTcp.code, ExitCode.InvalidInput);
    assert.match(withTcp.stderr, /--all serves HTTP destinations only/);
  });

  it('--har: writes the requests of every HTTP forward as HAR when stopped, 0600, credentials masked', async () => {
    const result = await forward(['internet-basic', 'internet-noauth', '--har', 'traffic.har', '--key', 'destination.json'], async ([basic, noauth]) => {
      await (await request(`${basic}/first?password=typed-1`, { headers: { authorization: 'Bearer client-token-1' } })).body.dump();
      await (await request(`${noauth}/second`)).body.dump();
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /Wrote 2 requests to traffic\.har\./);
    const file = join(dir, 'traffic.har');
    if (posixFileModes) assert.equal((await stat(file)).mode & 0o777, 0o600);
    const text = await readFile(file, 'utf8');
    const har = JSON.parse(text) as { log: { creator: { name: string }; entries: { request: { url: string; headers: { name: string; value: string }[] } }[] } };
    assert.equal(har.log.creator.name, 'BTP Connect');
    assert.deepEqual(
      har.log.entries.map((entry) => new URL(entry.request.url).pathname),
      ['/first', '/second'],
    );
    assert.deepEqual(
      har.log.entries[0]?.request.headers.find((header) => header.name === 'authorization'),
      { name: 'authorization', value: 'Bearer ******' },
    );
    for (const secret of ['typed-1', 'client-token-1', 'demo-password-1', Buffer.from('demo:demo-password-1').toString('base64')])
      assert.equal(text.includes(secret), false, secret);
  });

  it('--max-connections: each forward holds that many connections and resets the next one at once', async () => {
    const result = await forward(
      ['onprem-tcp-db', '--max-connections', '1', '--key', 'destination.json', '--connectivity-key', 'connectivity.json'],
      async ([address]) => {
        const port = Number(address?.split(':')[1]);
        const first = connect(port, '127.0.0.1');
        first.write('PING\r\n');
        const [pong] = (await once(first, 'data')) as [Buffer];
        assert.equal(pong.toString(), 'PONG\r\n');
        const second = connect(port, '127.0.0.1');
        const [error] = (await once(second, 'error')) as [NodeJS.ErrnoException];
        assert.equal(error.code, 'ECONNRESET');
        first.destroy();
      },
    );
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /→ onprem-tcp-db \(TCP, OnPremise via the connectivity proxy, at most 1 connection\) {2}ready/);
    assert.match(result.stderr, /BTP_FORWARD_BUSY: refused a connection: this forward holds its maximum of 1 connection upstream/);
  });

  it('refuses bad arguments with usage-level errors, and an OnPremise destination without a connectivity key', async () => {
    const twoWithPort = await runCli(['forward', 'a', 'b', '--port', '8080', '--key', 'destination.json'], { cwd: dir, env: {} });
    assert.equal(twoWithPort.code, ExitCode.InvalidInput);
    assert.match(twoWithPort.stderr, /--port goes with exactly one destination/);
    const badTunnel = await runCli(['forward', 'a', '--tunnel', 'teleport', '--key', 'destination.json'], { cwd: dir, env: {} });
    assert.equal(badTunnel.code, ExitCode.InvalidInput);
    for (const value of ['0', '4097', 'many', '1.5']) {
      const badLimit = await runCli(['forward', 'a', '--max-connections', value, '--key', 'destination.json'], { cwd: dir, env: {} });
      assert.equal(badLimit.code, ExitCode.InvalidInput, value);
      assert.match(badLimit.stderr, /--max-connections must be a whole number from 1 to 4096/);
    }
    const noConnectivity = await runCli(['forward', 'onprem-erp-basic', '--key', 'destination.json'], { cwd: dir, env: {} });
    assert.equal(noConnectivity.code, ExitCode.InvalidInput);
    assert.match(noConnectivity.stderr, /needs a connectivity service key/);
  });
});
