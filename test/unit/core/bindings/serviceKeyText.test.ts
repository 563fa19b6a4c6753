import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServiceKeyText } from '../../../../src/core/bindings/serviceKeyText';
import type { ServiceKeyTextOptions } from '../../../../src/core/bindings/types';
import { ErrorCode } from '../../../../src/core/errors';
import { assertIssue, exposedText, matches } from './assertError';
import { CANARY_SECRET, connectivityKey, destinationKey, thrown, vcapEntry, x509, xsuaaKey, type ExpectedIssue } from '../../../support/bindingFixtures';

const json = (value: unknown): string => JSON.stringify(value, null, 2);
const cfHeader = 'Getting key my-key for service instance my-dest as developer@example.com...\n\n';

const vcap = {
  destination: [vcapEntry('destination', 'dest-a', destinationKey())],
  connectivity: [vcapEntry('connectivity', 'conn', connectivityKey())],
  xsuaa: [vcapEntry('xsuaa', 'uaa', xsuaaKey(), { plan: 'application' })],
  hana: [vcapEntry('hana', 'db', { host: 'db.example.com', password: CANARY_SECRET })],
};
const twoDestinations = { destination: [vcapEntry('destination', 'dest-a', destinationKey()), vcapEntry('destination', 'dest-b', x509(destinationKey()))] };

interface GoodCase {
  readonly name: string;
  readonly text: string;
  readonly options?: ServiceKeyTextOptions;
  readonly expect: Record<string, unknown>;
}

const good: readonly GoodCase[] = [
  { name: 'bare credentials JSON', text: json(destinationKey()), expect: { kind: 'destination', meta: undefined } },
  { name: '{"credentials": ...} wrapper', text: json({ credentials: connectivityKey() }), expect: { kind: 'connectivity', meta: undefined } },
  {
    name: 'cf CLI v7 output (header, bare credentials)',
    text: `${cfHeader}${json(destinationKey())}\n`,
    expect: { kind: 'destination', meta: { name: 'my-key', instanceName: 'my-dest' } },
  },
  {
    name: 'cf CLI v8 output (header, credentials wrapper)',
    text: `${cfHeader}${json({ credentials: x509(destinationKey()) })}\n`,
    expect: { kind: 'destination', meta: { name: 'my-key', instanceName: 'my-dest' } },
  },
  {
    name: 'cf output with CRLF line ends (Windows terminal)',
    text: `${cfHeader}${json({ credentials: xsuaaKey() })}\n`.replace(/\n/g, '\r\n'),
    expect: { kind: 'xsuaa', meta: { name: 'my-key', instanceName: 'my-dest' } },
  },
  { name: 'UTF-8 BOM and surrounding whitespace', text: `\uFEFF \n\t${json(xsuaaKey())}\n\n  `, expect: { kind: 'xsuaa' } },
  {
    name: 'one VCAP_SERVICES entry (name, label, plan, tags, credentials)',
    text: json(vcapEntry('connectivity', 'conn-binding', connectivityKey())),
    expect: {
      kind: 'connectivity',
      meta: { name: 'conn-binding', instanceName: 'conn-binding-instance', label: 'connectivity', plan: 'lite', tags: ['connectivity'] },
    },
  },
  {
    name: 'options.meta wins over meta found in the text',
    text: `${cfHeader}${json(destinationKey())}`,
    options: { meta: { name: 'chosen' } },
    expect: { meta: { name: 'chosen', instanceName: 'my-dest' } },
  },
  {
    name: 'whole VCAP_SERVICES, pick by expected kind',
    text: json(vcap),
    options: { expected: 'connectivity' },
    expect: { kind: 'connectivity', meta: { name: 'conn', instanceName: 'conn-instance', label: 'connectivity', plan: 'lite', tags: ['connectivity'] } },
  },
  { name: 'whole VCAP_SERVICES, pick xsuaa', text: json(vcap), options: { expected: 'xsuaa' }, expect: { kind: 'xsuaa' } },
  {
    name: 'VCAP_SERVICES with two destinations, pick by name',
    text: json(twoDestinations),
    options: { expected: 'destination', name: 'dest-b' },
    expect: { kind: 'destination' },
  },
  {
    name: 'VCAP_SERVICES, pick by instance name',
    text: json(twoDestinations),
    options: { expected: 'destination', name: 'dest-a-instance' },
    expect: { kind: 'destination' },
  },
  {
    name: 'VCAP_SERVICES with a single known binding, no kind given',
    text: json({ destination: vcap.destination, hana: vcap.hana }),
    expect: { kind: 'destination' },
  },
  {
    name: '{"VCAP_SERVICES": ...} as `cf env` prints it',
    text: json({ VCAP_SERVICES: vcap }),
    options: { expected: 'destination' },
    expect: { kind: 'destination' },
  },
  {
    name: '{"system_env_json": {"VCAP_SERVICES": ...}} (CF API env)',
    text: json({ system_env_json: { VCAP_SERVICES: vcap } }),
    options: { expected: 'xsuaa' },
    expect: { kind: 'xsuaa' },
  },
];

interface BadCase extends ExpectedIssue {
  readonly name: string;
  readonly text: string;
  readonly options?: ServiceKeyTextOptions;
}

const bad: readonly BadCase[] = [
  { name: 'empty', text: '', field: 'json', problem: 'required', fragment: 'The service key from the pasted text is empty' },
  { name: 'only whitespace and BOM', text: '\uFEFF  \n ', field: 'json', problem: 'required', fragment: 'is empty' },
  {
    name: 'cf failure output, no JSON',
    text: 'Getting key k for service instance i as me...\nFAILED\nNo service key k found for service instance i',
    field: 'json',
    problem: 'invalid_json',
    fragment: 'holds no JSON object',
  },
  {
    name: 'missing comma',
    text: '{\n  "clientid": "x"\n  "url": "https://a"\n}',
    field: 'json',
    problem: 'invalid_json',
    fragment: /Expected ',' or '}' after property value at line 3, column 3 \(character 23\)/,
  },
  {
    name: 'truncated copy',
    text: '{\n  "clientid": "x",\n  "url": "https://a',
    field: 'json',
    problem: 'invalid_json',
    fragment: 'The JSON ends early, so part of it is missing',
  },
  { name: 'trailing comma', text: '{"clientid": "x",}', field: 'json', problem: 'invalid_json', fragment: 'at line 1, column 18' },
  {
    name: 'single quotes (JavaScript, not JSON)',
    text: "{'clientid': 'x'}",
    field: 'json',
    problem: 'invalid_json',
    fragment: /line 1, column 2\b.*double quotes/,
  },
  { name: 'unquoted value', text: '{"clientid": sb-x}', field: 'json', problem: 'invalid_json', fragment: 'Unexpected character at line 1, column 14' },
  { name: 'raw line break inside a string', text: '{"clientid": "a\nb"}', field: 'json', problem: 'invalid_json', fragment: 'must be written as \\n' },
  { name: 'text after the JSON', text: '{"clientid": "x"} OK', field: 'json', problem: 'invalid_json', fragment: 'at line 1, column 19' },
  {
    name: 'position counts the cf header lines',
    text: `${cfHeader}{\n  "clientid": "x",\n  "url": https\n}`,
    field: 'json',
    problem: 'invalid_json',
    fragment: 'at line 5, column 10',
  },
  {
    name: 'source is named',
    text: '{',
    options: { source: 'the clipboard' },
    field: 'json',
    fragment: 'The service key from the clipboard is not valid JSON',
  },
  { name: 'JSON array', text: '[1, 2]', field: 'credentials', problem: 'invalid_type', fragment: 'but it is a list' },
  {
    name: 'wrapper holding the wrong kind',
    text: json({ credentials: connectivityKey() }),
    options: { expected: 'destination' },
    field: 'onpremise_proxy_host',
    problem: 'wrong_kind',
    fragment: 'This is a connectivity service key, a destination key is needed',
  },
  {
    name: 'cf output with an incomplete key names the field',
    text: `${cfHeader}${json({ credentials: { ...destinationKey(), url: undefined } })}`,
    field: 'url',
    problem: 'required',
    fragment: 'The destination service key has no "url"',
  },
];

describe('parseServiceKeyText: accepted shapes', () => {
  for (const testCase of good) {
    it(testCase.name, () => {
      const binding = parseServiceKeyText(testCase.text, testCase.options);
      for (const [key, value] of Object.entries(testCase.expect)) {
        assert.deepEqual((binding as unknown as Record<string, unknown>)[key], value, key);
      }
    });
  }

  it('picks the named destination out of two', () => {
    const binding = parseServiceKeyText(json(twoDestinations), { expected: 'destination', name: 'dest-b' });
    assert.equal(binding.auth.kind, 'x509');
    assert.equal(binding.meta?.name, 'dest-b');
  });
});

describe('parseServiceKeyText: rejected input', () => {
  for (const testCase of bad) {
    it(testCase.name, () => {
      assertIssue(
        thrown(() => parseServiceKeyText(testCase.text, testCase.options)),
        testCase,
      );
    });
  }

  it('JSON errors carry line, column and position in details', () => {
    const error = assertIssue(
      thrown(() => parseServiceKeyText('{\n "a": 1,\n}')),
      { field: 'json', fragment: 'line 3, column 1' },
    );
    assert.deepEqual(error.details, { line: 3, column: 1, position: 11 });
  });

  it('VCAP_SERVICES without the wanted kind → BindingNotFound naming kind and source', () => {
    const error = thrown(() => parseServiceKeyText(json({ xsuaa: vcap.xsuaa, hana: vcap.hana }), { expected: 'destination' }));
    assertNotFound(error, /No destination binding found in the pasted text\. It has only: "uaa" \(xsuaa, instance "uaa-instance"\)/);
  });

  it('VCAP_SERVICES with two destinations and no name → BindingInvalid listing both', () => {
    const error = thrown(() => parseServiceKeyText(json(twoDestinations), { expected: 'destination' }));
    assert.equal((error as { code: string }).code, ErrorCode.BindingInvalid);
    matches((error as Error).message, 'The pasted text has 2 destination bindings: "dest-a" (destination, instance "dest-a-instance"), "dest-b"');
    matches((error as Error).message, 'Say which one to use by its binding name');
  });

  it('VCAP_SERVICES with several kinds and no kind given → BindingInvalid', () => {
    const error = thrown(() => parseServiceKeyText(json(vcap)));
    assert.equal((error as { code: string }).code, ErrorCode.BindingInvalid);
    matches((error as Error).message, '3 destination, connectivity or xsuaa bindings');
  });

  it('VCAP_SERVICES: unknown name → BindingNotFound listing the choices', () => {
    const error = thrown(() => parseServiceKeyText(json(twoDestinations), { expected: 'destination', name: 'nope' }));
    assertNotFound(error, 'No destination binding named "nope" in the pasted text. The destination bindings there are: "dest-a"');
  });

  it('never puts a secret into a JSON error', () => {
    const texts = [
      `{"clientid": "x", "clientsecret": ${CANARY_SECRET}}`,
      `{"clientsecret": "${CANARY_SECRET}" "url": "https://a"}`,
      `{"clientsecret": "${CANARY_SECRET}`,
      `{"clientsecret": "${CANARY_SECRET}\n"}`,
      `${CANARY_SECRET}`,
      `{"clientsecret": '${CANARY_SECRET}'}`,
      `${cfHeader}{"credentials": {"clientsecret": "${CANARY_SECRET}", "url": tru}}`,
      `{"xsuaa": [{"credentials": {"clientsecret": "${CANARY_SECRET}"}}]}`,
    ];
    for (const text of texts) {
      const exposed = exposedText(thrown(() => parseServiceKeyText(text)));
      assert.ok(!exposed.includes('CANARY'), `leak for ${JSON.stringify(text)}:\n${exposed}`);
    }
  });
});

function assertNotFound(error: unknown, fragment: string | RegExp): void {
  assert.equal((error as { code: string }).code, ErrorCode.BindingNotFound);
  matches((error as Error).message, fragment);
}
