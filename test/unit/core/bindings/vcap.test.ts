import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingsFromVcapServices } from '../../../../src/core/bindings/vcap';
import { assertIssue, exposedText } from './assertError';
import { CANARY_SECRET, connectivityKey, destinationKey, thrown, vcapEntry, x509, xsuaaKey, type ExpectedIssue } from '../../../support/bindingFixtures';

/** What the emulator and CF produce: label + tags per binding, plus services we do not handle. */
const fullVcap = {
  destination: [vcapEntry('destination', 'my-dest', destinationKey(), { tags: ['destination', 'conn', 'connsvc'] })],
  connectivity: [vcapEntry('connectivity', 'my-conn', connectivityKey(), { tags: ['connectivity', 'conn', 'connsvc'] })],
  xsuaa: [vcapEntry('xsuaa', 'my-uaa', x509(xsuaaKey()), { plan: 'application', tags: ['xsuaa'] })],
  hana: [vcapEntry('hana', 'my-hdi', { host: 'h', password: CANARY_SECRET, url: 'jdbc:sap://h:443' }, { plan: 'hdi-shared', tags: ['hana', 'database'] })],
  'user-provided': [vcapEntry('user-provided', 'my-ups', { anything: 'goes' }, { tags: [] })],
  'saas-registry': [vcapEntry('saas-registry', 'my-reg', { xsappname: 'x', url: 'not a url' }, { tags: ['SaaS'] })],
};

interface Case {
  readonly name: string;
  readonly vcap: string | object;
  readonly expect: ReadonlyArray<{ kind: string; name?: string; label?: string }>;
}

const cases: readonly Case[] = [
  {
    name: 'several services, other labels skipped',
    vcap: fullVcap,
    expect: [
      { kind: 'destination', name: 'my-dest', label: 'destination' },
      { kind: 'connectivity', name: 'my-conn', label: 'connectivity' },
      { kind: 'xsuaa', name: 'my-uaa', label: 'xsuaa' },
    ],
  },
  { name: 'as a JSON string', vcap: JSON.stringify({ destination: fullVcap.destination }), expect: [{ kind: 'destination', name: 'my-dest' }] },
  { name: 'as a JSON string with BOM', vcap: `\uFEFF${JSON.stringify({ xsuaa: fullVcap.xsuaa })}`, expect: [{ kind: 'xsuaa' }] },
  {
    name: 'user-provided service: kind from tags',
    vcap: { 'user-provided': [vcapEntry('user-provided', 'ups-dest', destinationKey(), { tags: ['custom', 'destination'] })] },
    expect: [{ kind: 'destination', name: 'ups-dest', label: 'user-provided' }],
  },
  {
    name: 'entry label wins over the outer key; missing entry label falls back to the outer key',
    vcap: { weird: [vcapEntry('connectivity', 'c1', connectivityKey())], xsuaa: [{ name: 'u1', credentials: xsuaaKey() }] },
    expect: [
      { kind: 'connectivity', name: 'c1', label: 'connectivity' },
      { kind: 'xsuaa', name: 'u1', label: 'xsuaa' },
    ],
  },
  { name: 'empty object', vcap: {}, expect: [] },
  { name: 'blank string', vcap: '  ', expect: [] },
  { name: 'only other services', vcap: { hana: fullVcap.hana }, expect: [] },
  { name: 'non-array and non-object entries are skipped', vcap: { destination: 'x', xsuaa: [null, 3, ...fullVcap.xsuaa] }, expect: [{ kind: 'xsuaa' }] },
];

describe('bindingsFromVcapServices', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const bindings = bindingsFromVcapServices(testCase.vcap);
      assert.deepEqual(
        bindings.map((binding) => ({
          kind: binding.kind,
          ...(testCase.expect.some((item) => item.name !== undefined) ? { name: binding.meta?.name } : {}),
          ...(testCase.expect.some((item) => item.label !== undefined) ? { label: binding.meta?.label } : {}),
        })),
        testCase.expect.map((item) => ({
          kind: item.kind,
          ...(item.name === undefined ? {} : { name: item.name }),
          ...(item.label === undefined ? {} : { label: item.label }),
        })),
      );
    });
  }

  it('fills meta from the entry', () => {
    const [binding] = bindingsFromVcapServices({ xsuaa: fullVcap.xsuaa });
    assert.deepEqual(binding?.meta, { name: 'my-uaa', instanceName: 'my-uaa-instance', label: 'xsuaa', plan: 'application', tags: ['xsuaa'] });
  });

  const bad: ReadonlyArray<ExpectedIssue & { name: string; vcap: string | object }> = [
    {
      name: 'invalid JSON',
      vcap: '{"destination": [}',
      field: 'json',
      problem: 'invalid_json',
      fragment: 'VCAP_SERVICES is not valid JSON: Unexpected character at line 1, column 18',
    },
    { name: 'not an object', vcap: '[]', field: 'VCAP_SERVICES', problem: 'invalid_type', fragment: 'VCAP_SERVICES is not a JSON object' },
    {
      name: 'a destination entry with bad credentials names the entry',
      vcap: { destination: [vcapEntry('destination', 'broken-dest', { ...destinationKey(), uri: 'ftp://x' })] },
      field: 'uri',
      problem: 'invalid_url',
      fragment: 'The "uri" (the Destination service URL) of the destination service key must be an absolute http(s) URL',
    },
    {
      name: 'an entry without credentials',
      vcap: { xsuaa: [{ name: 'u', label: 'xsuaa' }] },
      field: 'credentials',
      problem: 'required',
      fragment: 'The xsuaa service key has no credentials',
    },
    {
      name: 'a label that disagrees with the credentials',
      vcap: { xsuaa: [vcapEntry('xsuaa', 'mislabelled', destinationKey())] },
      field: 'uri',
      problem: 'wrong_kind',
      fragment: 'This is a destination service key, an xsuaa key is needed',
    },
  ];
  for (const testCase of bad) {
    it(`rejects: ${testCase.name}`, () => {
      const error = assertIssue(
        thrown(() => bindingsFromVcapServices(testCase.vcap)),
        testCase,
      );
      if (testCase.field !== 'json' && testCase.field !== 'VCAP_SERVICES') assert.match(error.message, / from binding "[^"]+" in VCAP_SERVICES is not valid/);
    });
  }

  it('the source option names where the JSON came from', () => {
    const error = thrown(() => bindingsFromVcapServices('{', { source: 'file "/tmp/vcap.json"' }));
    assert.match((error as Error).message, /^File "\/tmp\/vcap.json" is not valid JSON/);
  });

  it('never leaks secrets of a broken entry', () => {
    const vcap = { destination: [vcapEntry('destination', 'd', { ...destinationKey(), clientsecret: `${CANARY_SECRET}\n`, uri: '' })] };
    assert.ok(!exposedText(thrown(() => bindingsFromVcapServices(vcap))).includes('CANARY'));
  });
});
