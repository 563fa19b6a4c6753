// Child process of approuter.test.ts: starts SAP's application router (@sap/approuter 21.2.0, unchanged) through
// its programmatic API, `require('@sap/approuter')().start({ port, xsappConfig })`, and sends requests through it.
// The approuter reads VCAP_SERVICES, NODE_EXTRA_CA_CERTS and the rest of its configuration from this process's
// environment.
// Input: APPROUTER_PLAN = {"scenario": "...", "xsappConfig": {...xs-app.json}, "startupTokens": <n>,
// "requests": [{"name": "...", "path": "/api/...", "headers": {...}}]}.
// Output: one line `@@result <json>` for the scenario; every other stdout/stderr line is the approuter's own log.
import diagnosticsChannel from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import approuter from '@sap/approuter';

const plan = JSON.parse(process.env.APPROUTER_PLAN ?? '{}');

// Everything the approuter sends, as this process sees it (Node's `http.client.request.start` channel; nothing in
// the approuter changes): the sandbox's transcript cannot show calls that never reach it (DNS or TLS failures).
const outbound = [];
/** The child's own requests to the approuter: left out (the channel publishes when a request is sent, not created). */
const ownRequests = new WeakSet();
// At start-up the approuter fetches one client_credentials token per destination/connectivity binding without
// waiting for them before it listens; a route used before they arrive fetches its own, and the transcript would
// depend on timing. Instead of sleeping, the child counts the token requests and goes on once `startupTokens` of
// them have completed.
const tokenCalls = { started: 0, finished: 0, waiters: [] };

const onClientRequest = ({ request }) => {
  if (ownRequests.has(request)) return;
  // Through a proxy agent `path` is already the absolute target URL (absolute-form request line).
  const absoluteForm = /^[a-z]+:\/\//i.test(request.path ?? '');
  const entry = {
    method: request.method,
    url: absoluteForm ? request.path : `${request.protocol}//${request.getHeader('host') ?? request.host}${request.path}`,
    absoluteForm,
    connectedTo: null,
  };
  outbound.push(entry);
  // Where the TCP connection really went (for OnPremise: the connectivity proxy, not the virtual host).
  const watch = (socket) => {
    const note = () => {
      entry.connectedTo = `${socket.remoteAddress}:${socket.remotePort}`;
    };
    if (socket.connecting) socket.once('connect', note);
    else note();
  };
  if (request.socket) watch(request.socket);
  else request.once('socket', watch);
  request.once('response', (response) => {
    entry.status = response.statusCode;
  });
  request.once('error', (error) => {
    entry.error = error.code ?? error.message;
  });
  if (!/\/oauth\/token(?:\?|$)/.test(request.path ?? '')) return;
  tokenCalls.started += 1;
  request.once('close', () => {
    tokenCalls.finished += 1;
    // setImmediate: let the approuter's promise continuations store the token before anyone looks for it.
    setImmediate(() => tokenCalls.waiters.splice(0).forEach((wake) => wake()));
  });
};
diagnosticsChannel.subscribe('http.client.request.start', onClientRequest);

async function startupTokensDone(count) {
  while (tokenCalls.finished < count || tokenCalls.finished < tokenCalls.started) {
    await new Promise((resolve) => tokenCalls.waiters.push(resolve));
  }
}

/** A free loopback port: the approuter offers no public way to read back the port it took for `port: 0`. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function send(port, item) {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: item.method ?? 'GET', path: item.path, headers: item.headers ?? {} }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({
          name: item.name,
          status: res.statusCode,
          contentType: res.headers['content-type'] ?? null,
          json,
          text: json === null ? text.slice(0, 2000) : null,
        });
      });
    });
    ownRequests.add(req);
    req.on('error', (error) => resolve({ name: item.name, status: 0, contentType: null, json: null, text: `request failed: ${error.message}` }));
    req.end();
  });
}

const result = { scenario: plan.scenario, started: false, startError: null, startupTokenCalls: 0, responses: [], outbound };
const router = approuter();
try {
  const port = await freePort();
  // approuter 21's start() is async: a start-up error rejects its promise and never reaches the callback.
  await new Promise((resolve, reject) => {
    const starting = router.start({ port, xsappConfig: plan.xsappConfig }, (error) => (error ? reject(error) : resolve()));
    Promise.resolve(starting).catch(reject);
  });
  result.started = true;
  await startupTokensDone(plan.startupTokens ?? 0);
  result.startupTokenCalls = tokenCalls.started;
  for (const item of plan.requests ?? []) result.responses.push(await send(port, item));
} catch (error) {
  result.startError = String(error?.message ?? error);
}
diagnosticsChannel.unsubscribe('http.client.request.start', onClientRequest);
// The approuter keeps token refresh timers and a session checker alive: exit once the result line is out.
process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`, () => process.exit(0));
