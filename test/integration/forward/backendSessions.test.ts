import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { startForwardHarness, type ForwardHarness } from '../../support/forwardHarness';
import { sessionCookieName, startGatewayCsrfUpstream, type GatewayCsrfUpstream } from '../../support/gatewayCsrfUpstream';

// SAP Gateway binds its CSRF token to its session cookie. With cookies off by default (browsers share them across
// localhost ports), "X-CSRF-Token: Fetch" + POST failed for every client through a forward. The forward now keeps
// the backend session itself, as the approuter does: nothing reaches the client, the write works — for curl,
// Python requests and CAP, pointed at the forward unchanged.

const execFileAsync = promisify(execFile);
const servicePath = '/sap/opu/odata/sap/API_ITEMS';

let gateway: GatewayCsrfUpstream;
let h: ForwardHarness;
let forward: ForwardInfo;
let passing: ForwardInfo;

before(async () => {
  gateway = await startGatewayCsrfUpstream();
  h = await startForwardHarness();
  h.define('gw', { URL: `${gateway.url}${servicePath}` });
  forward = await h.start({ destination: 'gw' });
  passing = await h.start({ destination: 'gw', passCookies: true });
});
after(async () => {
  await h.close();
  await gateway.close();
});

/** Status and lower-cased headers of a curl exchange (`-D -` prints the head first). */
async function curl(args: readonly string[]): Promise<{ status: number; headers: Map<string, string[]> }> {
  const { stdout } = await execFileAsync('curl', ['-s', '-o', '/dev/null', '-D', '-', ...args]);
  const [statusLine = '', ...lines] = stdout.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const headerLine of lines) {
    const colon = headerLine.indexOf(':');
    if (colon > 0)
      headers.set(headerLine.slice(0, colon).toLowerCase(), [
        ...(headers.get(headerLine.slice(0, colon).toLowerCase()) ?? []),
        headerLine.slice(colon + 1).trim(),
      ]);
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}

describe('backend sessions: the forward keeps the cookies a CSRF write flow needs', () => {
  it('curl: Fetch, then POST with the token, succeeds through a default forward; no Set-Cookie reaches the client', async () => {
    const fetched = await curl(['-H', 'X-CSRF-Token: Fetch', `${forward.localAddress}/`]);
    assert.equal(fetched.status, 200);
    const token = fetched.headers.get('x-csrf-token')?.[0];
    assert.ok(token, 'a token came back');
    assert.equal(fetched.headers.get('set-cookie'), undefined);
    const posted = await curl([
      '-X',
      'POST',
      '-H',
      `X-CSRF-Token: ${token}`,
      '-H',
      'Content-Type: application/json',
      '--data',
      '{"name":"curl"}',
      `${forward.localAddress}/Items`,
    ]);
    assert.equal(posted.status, 201);
    assert.equal(posted.headers.get('set-cookie'), undefined);
    assert.match(String(gateway.requests.at(-1)?.headers.cookie), new RegExp(`^${sessionCookieName}=`), 'the forward sent its session cookie');
  });

  it('Python requests (a Session that would keep cookies) writes through the default forward and receives none', async () => {
    const script = [
      'import json, requests, sys',
      's = requests.Session()',
      'f = s.get(sys.argv[1] + "/", headers={"X-CSRF-Token": "Fetch"})',
      'p = s.post(sys.argv[1] + "/Items", headers={"X-CSRF-Token": f.headers.get("x-csrf-token", "")}, json={"name": "python"})',
      'print(json.dumps({"fetch": f.status_code, "post": p.status_code, "cookies": len(s.cookies)}))',
    ].join('\n');
    const { stdout } = await execFileAsync('python3', ['-c', script, forward.localAddress], { env: { ...process.env, NO_PROXY: '*' } });
    assert.deepEqual(JSON.parse(stdout), { fetch: 200, post: 201, cookies: 0 });
  });

  it('CAP (@sap/cds 10) with csrf: true writes through the default forward, as odata-v2 and as rest', async () => {
    const script = `
      const cds = require('@sap/cds');
      (async () => {
        const srv = await cds.connect.to('gw', { kind: process.argv[2], credentials: { url: process.argv[1] }, csrf: true });
        await srv.send({ method: 'POST', path: '/Items', data: { name: 'cap' } });
        console.log('created');
      })().catch((error) => { console.log('failed', error.statusCode ?? error.reason?.response?.status ?? '', error.message); process.exitCode = 1; });`;
    for (const kind of ['odata-v2', 'rest']) {
      const before = gateway.requests.length;
      const { stdout } = await execFileAsync(process.execPath, ['-e', script, forward.localAddress, kind], { cwd: process.cwd() });
      assert.equal(stdout.trim(), 'created', `${kind}: ${stdout}`);
      const methods = gateway.requests.slice(before).map((request) => request.method);
      assert.deepEqual(methods, ['HEAD', 'POST'], `${kind} fetched a token and wrote once`);
    }
  });

  it('a 403 "X-CSRF-Token: Required" is explained in the log, once a minute', async () => {
    const lines = () => h.logLines.filter((line) => line.includes('X-CSRF-Token: Required'));
    const before = lines().length;
    for (let index = 0; index < 3; index++)
      assert.equal((await curl(['-X', 'POST', '-H', 'X-CSRF-Token: wrong', `${forward.localAddress}/Items`])).status, 403);
    // The first refusal of this forward is explained; the next ones within the minute only counted.
    assert.equal(before, 0);
    assert.equal(lines().length, 1, lines().join('\n'));
    assert.match(lines()[0] ?? '', /X-CSRF-Token: Fetch/);
  });

  it('X-BTP-Connect-Session keeps separate backend sessions and never travels upstream', async () => {
    const sessionsBefore = gateway.sessions();
    const tokenOf = async (session: string) =>
      (await curl(['-H', 'X-CSRF-Token: Fetch', '-H', `X-BTP-Connect-Session: ${session}`, `${forward.localAddress}/`])).headers.get('x-csrf-token')?.[0] ?? '';
    const alice = await tokenOf('alice');
    const bob = await tokenOf('bob');
    assert.equal(gateway.sessions(), sessionsBefore + 2, 'two backend sessions');
    assert.notEqual(alice, bob);
    const post = (session: string, token: string) =>
      curl(['-X', 'POST', '-H', `X-CSRF-Token: ${token}`, '-H', `X-BTP-Connect-Session: ${session}`, '--data', 'x', `${forward.localAddress}/Items`]);
    assert.equal((await post('alice', bob)).status, 403, "bob's token is not alice's session's");
    assert.equal((await post('alice', alice)).status, 201);
    assert.ok(gateway.requests.every((request) => request.headers['x-btp-connect-session'] === undefined));
    assert.equal((await post('not a name!', alice)).status, 400);
  });

  it('with --cookies the session goes to the client instead, and the forward keeps none', async () => {
    const fetched = await curl(['-H', 'X-CSRF-Token: Fetch', `${passing.localAddress}/`]);
    const cookie = fetched.headers
      .get('set-cookie')
      ?.find((value) => value.startsWith(`${sessionCookieName}=`))
      ?.split(';')[0];
    assert.ok(cookie, 'Set-Cookie passed through');
    const token = fetched.headers.get('x-csrf-token')?.[0] ?? '';
    assert.equal(
      (await curl(['-X', 'POST', '-H', `X-CSRF-Token: ${token}`, '--data', 'x', `${passing.localAddress}/Items`])).status,
      403,
      'without its cookie the client has no session',
    );
    assert.equal(
      (await curl(['-X', 'POST', '-H', `X-CSRF-Token: ${token}`, '-H', `Cookie: ${cookie}`, '--data', 'x', `${passing.localAddress}/Items`])).status,
      201,
    );
  });

  it('a restarted forward starts without the old session', async () => {
    const own = await h.start({ destination: 'gw' });
    const token = (await curl(['-H', 'X-CSRF-Token: Fetch', `${own.localAddress}/`])).headers.get('x-csrf-token')?.[0] ?? '';
    assert.equal((await curl(['-X', 'POST', '-H', `X-CSRF-Token: ${token}`, '--data', 'x', `${own.localAddress}/Items`])).status, 201);
    await h.manager.stop(own.id);
    const again = await h.start({ destination: 'gw', port: own.port });
    assert.equal((await curl(['-X', 'POST', '-H', `X-CSRF-Token: ${token}`, '--data', 'x', `${again.localAddress}/Items`])).status, 403);
  });

  it('the inspector shows which session cookies went upstream, never their values', async () => {
    const log = h.manager.inspect(forward.id);
    await curl(['-H', 'X-CSRF-Token: Fetch', `${forward.localAddress}/`]);
    const sent = log
      .all()
      .at(-1)
      ?.upstreamHeaders?.find(([name]) => name === 'cookie')?.[1];
    assert.equal(sent, `${sessionCookieName}=******; sap-usercontext=******`);
  });
});
