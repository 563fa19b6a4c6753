// AC-36…AC-38 of docs/security.md: the editor webview's page policy, checked as text and in a real Chromium, and the
// extension's message boundary, fed random messages.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { editorPage } from '../../src/extension/editor/pageTemplate';
import { WebviewChannel } from '../../src/extension/editor/webviewChannel';
import { EDITOR_INBOUND } from '../../src/protocol/editorProtocol';
import { INSPECTOR_INBOUND } from '../../src/protocol/inspectorProtocol';
import { silentLogger } from '../../src/core/log';
import { chromiumPath } from '../vscode/harness/codeServer';
import { fuzzParameters } from './fuzz/fuzzSupport';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('AC-36: the editor page policy', () => {
  it('is exactly default-src none, a nonce for scripts and the extension for styles, fonts and images', () => {
    const page = editorPage({
      cspSource: CSP_SOURCE,
      nonce: 'bm9uY2Utbm9uY2Utbm9uY2U=',
      scriptUri: `${CSP_SOURCE}/main.js`,
      styleUri: `${CSP_SOURCE}/editor.css`,
      title: 'x',
    });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
    assert.equal(
      csp,
      `default-src 'none'; script-src 'nonce-bm9uY2Utbm9uY2Utbm9uY2U='; style-src ${CSP_SOURCE}; font-src ${CSP_SOURCE}; img-src ${CSP_SOURCE}`,
    );
    assert.doesNotMatch(csp, /unsafe-|\*|https?:\/\/(?!file\+)/);
    assert.equal((page.match(/<script/g) ?? []).length, 1, 'one script, the nonce-bearing bundle');
    assert.match(page, /<script nonce="bm9uY2Utbm9uY2Utbm9uY2U=" src=/);
    assert.doesNotMatch(page, /style="/, 'no inline style');
  });

  it('escapes the title: a destination name is text, never markup', () => {
    const page = editorPage({ cspSource: CSP_SOURCE, nonce: 'n', scriptUri: 's', styleUri: 'c', title: '<img src=x onerror=alert(1)>"\'&' });
    assert.match(page, /<title>&#60;img src=x onerror=alert\(1\)&#62;&#34;&#39;&#38;<\/title>/);
  });

  it(
    'in Chromium: injected inline script and event-handler attributes do not run, the nonce script does',
    { skip: !existsSync(chromiumPath) && `no Chromium at ${chromiumPath}` },
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
      type Scope = Record<string, unknown> & {
        violations: string[];
        document: { getElementById(id: string): unknown };
        getComputedStyle(element: unknown): { color: string };
      };
      try {
        const nonce = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';
        const html = editorPage({ cspSource: CSP_SOURCE, nonce, scriptUri: `${CSP_SOURCE}/main.js`, styleUri: `${CSP_SOURCE}/editor.css`, title: 't' })
          // What an injection into the page would look like (a destination value rendered as markup). The first
          // script (with the nonce) records every CSP violation the page reports.
          .replace(
            '<main id="app"></main>',
            `<script nonce="${nonce}">window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective)); window.trusted = 1;</script>
<main id="app"><script>window.injected = 1;</script><img src="data:," onerror="window.injectedHandler = 1"><a id="link" href="javascript:window.injectedUrl=1">x</a><div style="color: rgb(255, 0, 0)" id="styled">s</div></main>`,
          );
        const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>/;
        assert.match(html, csp);
        const load = async (content: string) => {
          const page = await browser.newPage();
          await page.setContent(content);
          await page.click('#link');
          return page;
        };
        const state = (page: Awaited<ReturnType<typeof load>>) =>
          page.evaluate(() => {
            const scope = globalThis as unknown as Scope;
            const red = scope.getComputedStyle(scope.document.getElementById('styled')).color === 'rgb(255, 0, 0)';
            return {
              trusted: scope.trusted,
              injected: scope.injected,
              injectedHandler: scope.injectedHandler,
              injectedUrl: scope.injectedUrl,
              red,
              violations: scope.violations,
            };
          });

        // The control: the same page without its policy. Every injected vector runs there (the javascript: link
        // once its navigation task ran) and nothing is reported, so the vectors are live and the listener is quiet
        // without a policy: what the policed page shows below is the policy's doing.
        const open = await load(html.replace(csp, ''));
        await open.waitForFunction(() => (globalThis as unknown as Scope).injectedUrl === 1);
        assert.deepEqual(await state(open), { trusted: 1, injected: 1, injectedHandler: 1, injectedUrl: 1, red: true, violations: [] });

        const policed = await load(html);
        // The blocked inline script is reported while the page loads, the handler and the javascript: URL after it:
        // wait for the reports (events, not time), then nothing injected has run.
        await policed.waitForFunction(() => (globalThis as unknown as Scope).violations.filter((directive) => directive.startsWith('script-src')).length >= 3);
        const { violations, ...ran } = await state(policed);
        assert.deepEqual(ran, { trusted: 1, injected: undefined, injectedHandler: undefined, injectedUrl: undefined, red: false });
        assert.ok(violations.includes('script-src-elem'), `the inline <script> was reported: ${violations.join(', ')}`);
        assert.ok(violations.includes('script-src-attr') || violations.includes('script-src'), `the onerror handler was reported: ${violations.join(', ')}`);
      } finally {
        await browser.close();
      }
    },
  );
});

// The editor's and the traffic inspector's messages, through the same channel class.
const INBOUND = [...EDITOR_INBOUND, ...INSPECTOR_INBOUND];

describe('AC-37: the message boundary of the editor and the traffic inspector', () => {
  interface Posted {
    kind: string;
    id?: number;
    error?: { code: string };
  }

  function channelWithSpies() {
    const posted: Posted[] = [];
    let deliver: (message: unknown) => void = () => undefined;
    const webview = {
      onDidReceiveMessage: (listener: (message: unknown) => void) => {
        deliver = listener;
        return { dispose: () => undefined };
      },
      postMessage: async (message: Posted) => {
        posted.push(message);
        return true;
      },
    };
    const channel = new WebviewChannel(webview as never, silentLogger);
    const calls: { method: string; params: unknown }[] = [];
    for (const type of INBOUND) {
      if (type.kind === 'request') channel.onRequest(type as never, async (params: unknown) => (calls.push({ method: type.method, params }), {}) as never);
      else channel.onNotification(type as never, (params: unknown) => void calls.push({ method: type.method, params }));
    }
    return { channel, posted, calls, send: (message: unknown) => deliver(message) };
  }

  const methods = INBOUND.map((type) => type.method);
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const message = fc.oneof(
    jsonValue,
    fc.record({
      kind: fc.constantFrom('notification', 'request', 'response', 'other'),
      method: fc.oneof(fc.constantFrom(...methods), fc.string()),
      params: jsonValue,
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(undefined)),
    }),
    // Valid payloads of every message, so that the property also covers what handlers accept.
    fc.oneof(
      fc.constant({ kind: 'notification', method: 'ready', params: { version: 1 } }),
      fc.record({
        kind: fc.constant('notification'),
        method: fc.constant('edit'),
        params: fc.record({
          seq: fc.nat(),
          set: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
          remove: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
        }),
      }),
      fc.record({
        kind: fc.constant('notification'),
        method: fc.constant('setSecret'),
        params: fc.record({ name: fc.string({ maxLength: 30 }), value: fc.string({ maxLength: 60 }) }),
      }),
      fc.record({
        kind: fc.constant('notification'),
        method: fc.constant('secretAction'),
        params: fc.record({ name: fc.string({ maxLength: 30 }), action: fc.constantFrom('keep', 'remove', 'reveal') }),
      }),
      fc.record({ kind: fc.constant('request'), id: fc.nat(), method: fc.constantFrom('save', 'revert'), params: fc.constant({}) }),
      fc.record({
        kind: fc.constant('request'),
        id: fc.nat(),
        method: fc.constant('resolveConflict'),
        params: fc.record({ choice: fc.constantFrom('overwrite', 'discard', 'compare', 'eval') }),
      }),
      fc.record({
        kind: fc.constant('request'),
        id: fc.nat(),
        method: fc.constant('chooseCertificate'),
        params: fc.record({ property: fc.string({ maxLength: 40 }) }),
      }),
      fc.constant({ kind: 'notification', method: 'inspector/ready', params: { version: 1 } }),
      fc.record({
        kind: fc.constant('request'),
        id: fc.nat(),
        method: fc.constantFrom('inspector/details', 'inspector/copyCurl'),
        params: fc.record({ id: fc.oneof(fc.nat(), fc.double()) }),
      }),
      fc.record({
        kind: fc.constant('request'),
        id: fc.nat(),
        method: fc.constantFrom('inspector/openHttp', 'inspector/exportHar'),
        params: fc.record({ ids: fc.array(fc.oneof(fc.nat(), fc.string()), { maxLength: 5 }) }),
      }),
      fc.record({
        kind: fc.constant('request'),
        id: fc.nat(),
        method: fc.constant('inspector/bodies'),
        params: fc.record({ on: fc.oneof(fc.boolean(), fc.string()) }),
      }),
      fc.constant({ kind: 'notification', method: 'inspector/clear', params: {} }),
    ),
    fc.record({
      kind: fc.constantFrom('notification', 'request'),
      id: fc.nat(),
      method: fc.constantFrom(...methods),
      params: fc.dictionary(
        fc.constantFrom('seq', 'set', 'remove', 'name', 'value', 'action', 'choice', 'property', 'version', 'id', 'ids', 'on', 'extra', '__proto__'),
        jsonValue,
      ),
    }),
  );

  it('5,000 random messages: handlers see only payloads their guard accepts; every request is answered once', async (t) => {
    let requests = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(message, async (value) => {
        const { send, calls, posted } = channelWithSpies();
        send(value);
        // The channel answers requests asynchronously; let its promise chain run.
        await new Promise((resolve) => setImmediate(resolve));
        for (const call of calls) {
          const type = INBOUND.find((candidate) => candidate.method === call.method);
          assert.ok(type);
          assert.equal(type.params(call.params, 'params'), undefined, `a handler got a payload its guard refuses: ${JSON.stringify(call)}`);
        }
        const isRequest =
          typeof value === 'object' &&
          value !== null &&
          (value as { kind?: unknown }).kind === 'request' &&
          Number.isInteger((value as { id?: unknown }).id) &&
          typeof (value as { method?: unknown }).method === 'string';
        if (isRequest) {
          requests++;
          assert.equal(posted.filter((entry) => entry.kind === 'response').length, 1, `one response to ${JSON.stringify(value)}`);
        } else {
          assert.equal(posted.filter((entry) => entry.kind === 'response').length, 0);
        }
        accepted += calls.length;
      }),
      fuzzParameters(t, 5_000),
    );
    assert.ok(requests > 500 && accepted > 100, `requests ${requests}, accepted ${accepted}: the generator reached the handlers`);
  });

  it('refuses extra fields and prototype keys in payloads', () => {
    const { send, calls } = channelWithSpies();
    send({ kind: 'notification', method: 'setSecret', params: { name: 'Password', value: 'x', extra: 1 } });
    send(JSON.parse('{"kind":"notification","method":"edit","params":{"seq":1,"set":{"__proto__":{"polluted":"yes"}},"remove":[]}}'));
    send({ kind: 'notification', method: 'secretAction', params: { name: 'Password', action: 'reveal' } });
    assert.deepEqual(calls, []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
