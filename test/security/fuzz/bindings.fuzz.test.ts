import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { bindingsFromVcapServices } from '../../../src/core/bindings/vcap';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import { parseServiceKeyText } from '../../../src/core/bindings/serviceKeyText';
import { tokenEndpoint } from '../../../src/core/bindings/tokenEndpoint';
import type { ServiceBinding, ServiceKind } from '../../../src/core/bindings/types';
import { bindingFromKubernetesSecret } from '../../../src/core/bindings/kubernetesSecret';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { CaseCounter, FUZZ_RUNS, fuzzParameters, ProcessFailures } from './fuzzSupport';

// Service-key parsers (src/core/bindings) fed with fuzzed keys: plausible keys with every field wrong in turn
// (types, URLs with bad %, userinfo and queries, ports out of range, PEM with lone CR or NUL, line breaks), random
// JSON, deeply nested values, cut and corrupted text, VCAP_SERVICES and Kubernetes secrets. Every outcome is a
// well-formed binding or a BtpError with a stable code and per-field issues, and no message repeats a secret.

const failures = new ProcessFailures();
after(() => failures.dispose());

const kinds: readonly ServiceKind[] = ['destination', 'connectivity', 'xsuaa'];
const secretCanary = fc.stringMatching(/^[A-Za-z0-9]{10}$/).map((suffix) => `CANARYsecret${suffix}`);

/** A value nested `depth` levels deep in arrays and objects, a string at the bottom. */
// Kept below JSON.stringify's own recursion limit; text nested far deeper comes from the "nest" text mutation.
const deepValue = fc.tuple(fc.integer({ min: 1, max: 1_500 }), fc.constantFrom('x', 'a\nb', 'c\0d')).map(([depth, leaf]) => {
  let value: unknown = leaf;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { n: value };
  return value;
});
const oddString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.constantFrom('', '   ', 'a\nb', 'a\rb', 'a\r\nb', 'a\0b', '%zz', '\uFEFF', '\ud800'),
);
const anyValue = fc.oneof(
  { weight: 4, arbitrary: oddString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, 0, -1, 1.5, Number.NaN, [], {}) },
  { weight: 1, arbitrary: deepValue },
);
const url = fc.oneof(
  fc.constantFrom(
    'https://provider.authentication.eu10.hana.ondemand.com',
    'https://provider.authentication.eu10.hana.ondemand.com///',
    'http://127.0.0.1:8080',
    'https://destination-configuration.cfapps.eu10.hana.ondemand.com/',
    'https://user:pw@host.example.com',
    'https://host.example.com/?q=1',
    'https://host.example.com/#f',
    'ftp://host.example.com',
    'https://',
    'https://host%zz.example.com',
    'https://[::1]:4443',
    ' https://host.example.com ',
    'https://xn--bcher-kva.example',
    'https://bücher.example',
  ),
  fc.webUrl(),
  anyValue,
);
const host = fc.oneof(
  fc.constantFrom('authentication.eu10.hana.ondemand.com', 'localhost:4443', 'a.b:99999', 'https://a.b', 'a b', '-a.b', 'a.b.', '127.0.0.1'),
  fc.domain(),
  anyValue,
);
const port = fc.oneof(fc.constantFrom('20003', 20003, ' 20004 ', '0', 0, '65536', 70_000, -1, 1.5, '1e3', '0x50', 'abc', '00020003'), anyValue);
const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

interface KeyCase {
  readonly credentials: Record<string, unknown>;
  readonly secrets: readonly string[];
  readonly kind: ServiceKind;
}

/** A key of one kind with some fields left out or replaced by fuzz; secrets are canaries. */
const keyCase: fc.Arbitrary<KeyCase> = fc
  .record({
    kind: fc.constantFrom(...kinds),
    x509: fc.boolean(),
    secret: secretCanary,
    keyBody: secretCanary,
    lineBreak: fc.oneof(
      { weight: 6, arbitrary: fc.constant('\n') },
      { weight: 2, arbitrary: fc.constant('\r\n') },
      { weight: 1, arbitrary: fc.constantFrom('\r', '\0') },
    ),
    fields: fc
      .array(
        fc.oneof(
          fc.tuple(
            fc.constantFrom('clientid', 'identityzone', 'tenantid', 'xsappname'),
            fc.oneof(fc.constantFrom('sb-clone!b1|destination!b2', 'clone!b1'), anyValue),
          ),
          fc.tuple(fc.constantFrom('url', 'uri', 'certurl', 'token_service_url'), url),
          fc.tuple(fc.constantFrom('uaadomain', 'onpremise_proxy_host'), host),
          fc.tuple(fc.constantFrom('onpremise_proxy_http_port', 'onpremise_proxy_port', 'onpremise_socks5_proxy_port', 'onpremise_proxy_rfc_port'), port),
          fc.tuple(fc.constant('credential-type'), fc.oneof(fc.constantFrom('x509', 'X509_GENERATED', 'binding-secret'), anyValue)),
        ),
        { maxLength: 3 },
      )
      .map((pairs) => Object.fromEntries(pairs)),
    drop: fc.oneof(
      { weight: 3, arbitrary: fc.constant([] as string[]) },
      {
        weight: 1,
        arbitrary: fc.subarray(
          [
            'clientid',
            'clientsecret',
            'url',
            'uri',
            'uaadomain',
            'xsappname',
            'onpremise_proxy_host',
            'onpremise_proxy_http_port',
            'certificate',
            'key',
            'certurl',
          ],
          { maxLength: 2 },
        ),
      },
    ),
    extra: fc.dictionary(
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'credentials', 'VCAP_SERVICES')),
      anyValue,
      { maxKeys: 2 },
    ),
  })
  .map(({ kind, x509, secret, keyBody, lineBreak, fields, drop, extra }) => {
    const base: Record<string, unknown> = {
      clientid: 'sb-clone!b1|service!b2',
      url: 'https://provider.authentication.eu10.hana.ondemand.com',
      uaadomain: 'authentication.eu10.hana.ondemand.com',
      xsappname: 'clone!b1',
    };
    if (kind === 'destination') base.uri = 'https://destination-configuration.cfapps.eu10.hana.ondemand.com';
    if (kind === 'connectivity')
      Object.assign(base, {
        onpremise_proxy_host: 'connectivityproxy.internal.cf.eu10.hana.ondemand.com',
        onpremise_proxy_http_port: '20003',
        onpremise_socks5_proxy_port: '20004',
      });
    if (x509) {
      Object.assign(base, {
        'credential-type': 'x509',
        certificate: pem('CERTIFICATE', 'MIIDdzCCAl+gAwIBAgIUV2r8').replaceAll('\n', lineBreak),
        key: pem('RSA PRIVATE KEY', keyBody).replaceAll('\n', lineBreak),
        certurl: 'https://provider.authentication.cert.eu10.hana.ondemand.com',
      });
    } else base.clientsecret = secret;
    const credentials: Record<string, unknown> = {};
    for (const [name, value] of [...Object.entries(base), ...Object.entries(fields), ...Object.entries(extra)]) {
      if (!drop.includes(name)) Object.defineProperty(credentials, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return { credentials, secrets: x509 ? [keyBody] : [secret], kind };
  });

/** Every text an error exposes: message, JSON form and the cause chain. */
function exposedText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return [error.message, JSON.stringify(isBtpError(error) ? error.toJSON() : {}), error.cause === undefined ? '' : exposedText(error.cause)].join('\n');
}

/** The contract every parser here shares: a usable binding, or a typed error that leaks no secret. */
function checkOutcome(run: () => ServiceBinding | ServiceBinding[], secrets: readonly string[], counter: CaseCounter, expected?: ServiceKind): void {
  let result: ServiceBinding | ServiceBinding[];
  try {
    result = run();
  } catch (error) {
    assert.ok(isBtpError(error), `not a BtpError: ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(error.code === ErrorCode.BindingInvalid || error.code === ErrorCode.BindingNotFound, error.code);
    counter.hit(`error:${error.code}:${error.issues[0]?.problem ?? '-'}`);
    for (const issue of error.issues) {
      assert.equal(typeof issue.field, 'string');
      assert.match(issue.problem, /^[a-z_]+$/);
      assert.ok(issue.message.length > 20, issue.message);
      assert.ok(error.message.includes(issue.message), 'the message lists each issue');
    }
    const text = exposedText(error);
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret in the error: ${text.slice(0, 300)}`);
    return;
  }
  for (const binding of Array.isArray(result) ? result : [result]) {
    counter.hit(`ok:${binding.kind}`);
    assert.ok(kinds.includes(binding.kind));
    if (expected !== undefined && !Array.isArray(result)) assert.equal(binding.kind, expected);
    assert.equal(typeof binding.clientId, 'string');
    assert.ok(binding.clientId.trim() !== '');
    assert.doesNotThrow(() => new URL(binding.url));
    assert.ok(!binding.url.endsWith('/'), binding.url);
    assert.ok(binding.uaaDomain !== '');
    if (binding.auth.kind === 'secret') assert.ok(binding.auth.clientSecret.trim() !== '');
    else assert.match(binding.auth.key, /PRIVATE KEY-----/);
    if (binding.kind === 'destination') assert.match(binding.uri, /^https?:\/\//i);
    if (binding.kind === 'connectivity') assert.ok(Number.isInteger(binding.httpPort) && binding.httpPort >= 1 && binding.httpPort <= 65535);
    // Whatever a key says, its token endpoint is a URL or a typed refusal.
    assert.doesNotThrow(() => new URL(tokenEndpoint(binding).url));
  }
}

const cfHeader = fc.constantFrom(
  '',
  'Getting key my-key for service instance my-dest as user@example.com...\n\n',
  'Getting key "k" for service instance \'i\' as u...\r\n',
);
type Shape = 'bare' | 'wrapped' | 'vcap' | 'vcap-wrapped' | 'cf-env';
function shaped(credentials: Record<string, unknown>, shape: Shape, label: string): unknown {
  const entry = { name: 'binding', label, tags: [label], plan: 'lite', instance_name: 'instance', credentials };
  if (shape === 'bare') return credentials;
  if (shape === 'wrapped') return { credentials };
  if (shape === 'vcap') return { [label]: [entry] };
  if (shape === 'vcap-wrapped') return { VCAP_SERVICES: { [label]: [entry] } };
  return { system_env_json: { VCAP_SERVICES: { [label]: [entry, { ...entry, name: 'second' }] } } };
}
type TextMutation =
  { kind: 'none' } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; text: string } | { kind: 'bom' } | { kind: 'nest'; depth: number };
const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), fc.constantFrom(',', '}', '"', '\\', '\n', '\0', '\ud800', '//', '/*')),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), depth: fc.integer({ min: 1, max: 50_000 }) }) },
);
function mutateText(text: string, change: TextMutation): string {
  switch (change.kind) {
    case 'none':
      return text;
    case 'cut':
      return text.slice(0, change.at % (text.length + 1));
    case 'insert': {
      const at = change.at % (text.length + 1);
      return text.slice(0, at) + change.text + text.slice(at);
    }
    case 'bom':
      return `\uFEFF${text}`;
    case 'nest': {
      // A field nested that deep inside the key's first object (or around the whole text if it has none).
      const deep = `${'['.repeat(change.depth)}"x"${']'.repeat(change.depth)}`;
      const brace = text.indexOf('{');
      return brace < 0 ? `${'['.repeat(change.depth)}${text}${']'.repeat(change.depth)}` : `${text.slice(0, brace + 1)}"deep":${deep},${text.slice(brace + 1)}`;
    }
  }
}

describe('service-key parsers, fuzzed', () => {
  it(`parseCredentials: a binding or a BindingInvalid naming the fields, never a secret (${FUZZ_RUNS} cases)`, (t) => {
    const counter = new CaseCounter();
    const started = performance.now();
    fc.assert(
      fc.property(
        keyCase,
        fc.oneof({ weight: 3, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: fc.option(fc.constantFrom(...kinds), { nil: undefined }) }),
        fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        (key, wanted, raw) => {
          const expected = wanted === 'own' ? key.kind : wanted;
          const input: unknown = raw ? key.credentials.clientid : key.credentials;
          checkOutcome(() => parseCredentials(input, expected === undefined ? {} : { expected }), key.secrets, counter, expected);
        },
      ),
      fuzzParameters(t),
    );
    t.diagnostic(`parseCredentials: ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms (${counter.summary()})`);
    failures.assertNone();
  });

  it(`parseServiceKeyText: pasted keys, cf output and VCAP_SERVICES, cut or corrupted (${FUZZ_RUNS} cases)`, (t) => {
    const counter = new CaseCounter();
    const started = performance.now();
    const input = fc.oneof(
      {
        weight: 9,
        arbitrary: fc
          .record({
            key: keyCase,
            shape: fc.constantFrom<Shape>('bare', 'wrapped', 'vcap', 'vcap-wrapped', 'cf-env'),
            label: fc.constantFrom(...kinds, 'other'),
            header: cfHeader,
            indent: fc.constantFrom(undefined, 2),
            change: textMutation,
          })
          .map(({ key, shape, label, header, indent, change }) => ({
            text: mutateText(header + (JSON.stringify(shaped(key.credentials, shape, label), null, indent) ?? ''), change),
            secrets: key.secrets,
          })),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }).map((text) => ({ text, secrets: [] as string[] })) },
    );
    fc.assert(
      fc.property(input, fc.option(fc.constantFrom(...kinds), { nil: undefined }), ({ text, secrets }, expected) => {
        let jsonError: unknown;
        checkOutcome(
          () => {
            try {
              return parseServiceKeyText(text, expected === undefined ? {} : { expected });
            } catch (error) {
              jsonError = error;
              throw error;
            }
          },
          secrets,
          counter,
          expected,
        );
        if (isBtpError(jsonError) && jsonError.issues[0]?.problem === 'invalid_json' && jsonError.details) {
          // Where the JSON breaks, in the user's own text.
          const { line, column } = jsonError.details as { line: number; column: number };
          assert.ok(Number.isInteger(line) && line >= 1 && line <= text.split('\n').length, `line ${line}`);
          assert.ok(Number.isInteger(column) && column >= 1, `column ${column}`);
        }
      }),
      fuzzParameters(t),
    );
    t.diagnostic(`parseServiceKeyText: ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms (${counter.summary()})`);
    failures.assertNone();
  });

  it(`bindingsFromVcapServices: text or object, any shape (${FUZZ_RUNS} cases)`, (t) => {
    const counter = new CaseCounter();
    const started = performance.now();
    const entry = fc.record(
      {
        name: anyValue,
        label: fc.oneof(fc.constantFrom(...kinds, 'xsuaa ', 'DESTINATION', 'other'), anyValue),
        tags: fc.oneof(fc.array(fc.oneof(fc.constantFrom(...kinds), anyValue), { maxLength: 3 }), anyValue),
        credentials: fc.oneof(
          keyCase.map((key) => key.credentials),
          anyValue,
        ),
      },
      { requiredKeys: [] },
    );
    const vcap = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.dictionary(
          fc.oneof(fc.constantFrom(...kinds, 'user-provided'), fc.string({ maxLength: 8 })),
          fc.oneof(fc.array(fc.oneof(entry, anyValue), { maxLength: 3 }), anyValue),
          { maxKeys: 3 },
        ),
      },
      { weight: 1, arbitrary: anyValue },
    );
    fc.assert(
      fc.property(vcap, fc.boolean(), textMutation, (value, asText, change) => {
        const input = asText ? mutateText(JSON.stringify(value) ?? '', change) : value;
        if (!asText && (typeof input !== 'object' || input === null)) {
          // The signature takes a string or an object; anything else is the caller's type error, not input.
          return;
        }
        checkOutcome(() => bindingsFromVcapServices(input as string | object), [], counter);
      }),
      fuzzParameters(t),
    );
    t.diagnostic(`bindingsFromVcapServices: ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms (${counter.summary()})`);
    failures.assertNone();
  });

  it(`bindingFromKubernetesSecret: secrets with base64 files, .metadata and garbage (${FUZZ_RUNS} cases)`, (t) => {
    const counter = new CaseCounter();
    const started = performance.now();
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    const metadata = fc.oneof(
      fc.constant(undefined),
      fc.constant(
        JSON.stringify({
          credentialProperties: [
            { name: 'clientid', format: 'text' },
            { name: 'clientsecret' },
            { name: 'url' },
            { name: 'uri' },
            { name: 'uaadomain' },
            { name: 'xsappname' },
          ],
          metaDataProperties: [{ name: 'type' }],
        }),
      ),
      fc.constant(JSON.stringify({ credentialProperties: [{ name: 'credentials', format: 'json', container: true }] })),
      fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
      fc.string({ maxLength: 30 }),
    );
    const secret = fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .record({
            key: keyCase,
            type: fc.oneof(fc.constantFrom(...kinds), fc.string({ maxLength: 10 })),
            metadata,
            asOneFile: fc.boolean(),
            name: fc.oneof(fc.constant('my-binding'), anyValue),
            garbage: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.base64String({ maxLength: 20 }), fc.string({ maxLength: 20 }), anyValue), {
              maxKeys: 2,
            }),
          })
          .map(({ key, type, metadata: meta, asOneFile, name, garbage }) => {
            const data: Record<string, unknown> = { type: b64(type), ...garbage };
            if (asOneFile) data.credentials = b64(JSON.stringify(key.credentials) ?? '');
            else
              for (const [field, value] of Object.entries(key.credentials))
                data[field] = typeof value === 'string' ? b64(value) : b64(JSON.stringify(value) ?? '');
            if (meta !== undefined) data['.metadata'] = b64(meta);
            return { value: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data } as unknown, secrets: key.secrets };
          }),
      },
      { weight: 1, arbitrary: fc.anything().map((value) => ({ value, secrets: [] as string[] })) },
    );
    fc.assert(
      fc.property(secret, fc.constantFrom(...kinds), ({ value, secrets }, expected) => {
        checkOutcome(() => bindingFromKubernetesSecret(value, expected), secrets, counter, expected);
      }),
      fuzzParameters(t),
    );
    t.diagnostic(`bindingFromKubernetesSecret: ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms (${counter.summary()})`);
    failures.assertNone();
  });

  it(`tokenEndpoint: any zid or subdomain gives a URL or an InvalidInput (${FUZZ_RUNS} cases)`, (t) => {
    const binding = parseCredentials({
      clientid: 'sb-x',
      clientsecret: 's',
      url: 'https://p.authentication.eu10.hana.ondemand.com',
      uaadomain: 'authentication.eu10.hana.ondemand.com',
      xsappname: 'x',
    });
    const started = performance.now();
    fc.assert(
      fc.property(
        fc.record(
          { zid: fc.option(fc.oneof(fc.uuid(), oddString), { nil: undefined }), subdomain: fc.option(fc.oneof(fc.domain(), oddString), { nil: undefined }) },
          { requiredKeys: [] },
        ),
        (tenant) => {
          let endpoint: ReturnType<typeof tokenEndpoint>;
          try {
            endpoint = tokenEndpoint(binding, tenant);
          } catch (error) {
            assert.ok(isBtpError(error, ErrorCode.InvalidInput), String(error));
            return;
          }
          const target = new URL(endpoint.url);
          assert.equal(target.pathname, '/oauth/token');
          assert.ok(target.hostname.endsWith('authentication.eu10.hana.ondemand.com'), target.hostname);
          for (const value of Object.values(endpoint.headers)) assert.doesNotMatch(value, /[\r\n\0]/);
        },
      ),
      fuzzParameters(t),
    );
    t.diagnostic(`tokenEndpoint: ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms`);
    failures.assertNone();
  });
});

// The counterexample the fuzzing above found in src/core/bindings/fields.ts, kept as a regression test.
describe('service-key regression found by fuzzing', () => {
  it('a value nested 100 000 levels deep is a BindingInvalid naming its path, not a stack overflow', () => {
    // Was: checkForbiddenChars recursed once per level and threw "RangeError: Maximum call stack size exceeded".
    const depth = 100_000;
    const text = `{"clientid":"a","clientsecret":"s","url":"https://a.example.com","uri":"https://d.example.com","x":${'['.repeat(depth)}"a\\nb"${']'.repeat(depth)}}`;
    assert.throws(
      () => parseServiceKeyText(text),
      (error: unknown) =>
        isBtpError(error, ErrorCode.BindingInvalid) && error.issues[0]?.problem === 'forbidden_char' && error.issues[0].field === `x${'[0]'.repeat(depth)}`,
    );
  });
});
