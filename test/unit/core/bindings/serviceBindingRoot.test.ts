import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { bindingsFromServiceBindingRoot } from '../../../../src/core/bindings/serviceBindingRoot';
import type { ServiceBinding } from '../../../../src/core/bindings/types';
import { ErrorCode } from '../../../../src/core/errors';
import { assertIssue, exposedText, matches } from './assertError';
import { CANARY_SECRET, CERT_PEM, connectivityKey, destinationKey, rejected, x509, xsuaaKey } from '../../../support/bindingFixtures';

type Files = Record<string, string>;

/** Writes files the way kubelet's atomic writer does: real files in `..<timestamp>/`, `..data` → it, visible symlinks. */
async function writeSecretVolume(dir: string, files: Files): Promise<void> {
  const stamp = '..2025_01_31_10_00_00.123456789';
  await mkdir(join(dir, stamp), { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, stamp, name), content);
  await symlink(stamp, join(dir, '..data'));
  for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name));
}

async function writePlain(dir: string, files: Files): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
}

/** Credentials as the operator writes them: strings as text, everything else as JSON. */
function operatorFiles(credentials: Record<string, unknown>, meta: { type: string; instance: string; tags?: string[] }): Files {
  const files: Files = {};
  const credentialProperties: unknown[] = [];
  for (const [name, value] of Object.entries(credentials)) {
    const json = typeof value !== 'string';
    files[name] = json ? JSON.stringify(value) : value;
    credentialProperties.push({ name, format: json ? 'json' : 'text' });
  }
  Object.assign(files, {
    instance_name: meta.instance,
    instance_guid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    instance_external_name: meta.instance,
    plan: 'lite',
    label: meta.type,
    type: meta.type,
    tags: JSON.stringify(meta.tags ?? [meta.type]),
  });
  const metaDataProperties = ['instance_name', 'instance_guid', 'plan', 'label', 'type'].map((name) => ({ name, format: 'text' }));
  metaDataProperties.push({ name: 'tags', format: 'json' });
  files['.metadata'] = JSON.stringify({ metaDataProperties, credentialProperties });
  return files;
}

/** Hand-made layout: one file per key, each ending in a newline, a `type` file, no `.metadata`. */
function plainFiles(credentials: Record<string, unknown>, extra: Files): Files {
  const files: Files = {};
  for (const [name, value] of Object.entries(credentials)) files[name] = `${typeof value === 'string' ? value : JSON.stringify(value)}\n`;
  return { ...files, ...extra };
}

const summary = (bindings: ServiceBinding[]): unknown[] =>
  bindings.map((binding) => ({ kind: binding.kind, name: binding.meta?.name, instanceName: binding.meta?.instanceName, auth: binding.auth.kind }));

describe('bindingsFromServiceBindingRoot', () => {
  let base: string;
  let root: string;
  let counter = 0;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'btp-bindings-k8s-'));
  });
  beforeEach(async () => {
    root = join(base, `root-${counter++}`);
    await mkdir(root);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  interface Layout {
    readonly name: string;
    readonly setup: (root: string) => Promise<void>;
    readonly expect: unknown[];
    readonly check?: (bindings: ServiceBinding[]) => void;
  }

  const layouts: readonly Layout[] = [
    {
      name: 'SAP BTP service operator: .metadata, ..data symlinks, three services',
      setup: async (dir) => {
        await writeSecretVolume(join(dir, 'my-dest'), operatorFiles(destinationKey(), { type: 'destination', instance: 'dest-instance' }));
        await writeSecretVolume(join(dir, 'my-conn'), operatorFiles(connectivityKey(), { type: 'connectivity', instance: 'conn-instance' }));
        await writeSecretVolume(join(dir, 'my-uaa'), operatorFiles(x509(xsuaaKey()), { type: 'xsuaa', instance: 'uaa-instance' }));
      },
      expect: [
        { kind: 'connectivity', name: 'my-conn', instanceName: 'conn-instance', auth: 'secret' },
        { kind: 'destination', name: 'my-dest', instanceName: 'dest-instance', auth: 'secret' },
        { kind: 'xsuaa', name: 'my-uaa', instanceName: 'uaa-instance', auth: 'x509' },
      ],
      check: (bindings) => {
        const conn = bindings[0];
        assert.equal(conn?.kind, 'connectivity');
        if (conn?.kind === 'connectivity') assert.equal(conn.httpPort, 20003);
        assert.deepEqual(conn?.credentials['token-type'], ['xsuaa', 'ias'], 'json-format credential parsed');
        assert.deepEqual(conn?.meta, { name: 'my-conn', instanceName: 'conn-instance', label: 'connectivity', plan: 'lite', tags: ['connectivity'] });
        assert.equal(conn?.credentials.instance_guid, undefined, 'metadata files are not credentials');
        const uaa = bindings[2];
        assert.equal(uaa?.auth.kind === 'x509' && uaa.auth.certificate, CERT_PEM, 'PEM kept byte for byte');
      },
    },
    {
      name: 'hand-made, no .metadata: trailing newline stripped, metadata files ignored',
      setup: async (dir) => {
        await writePlain(
          join(dir, 'conn'),
          plainFiles(connectivityKey(), { type: 'connectivity\n', provider: 'sap\n', instance_name: 'c-inst\n', tags: 'connectivity,conn\n', plan: 'lite\n' }),
        );
      },
      expect: [{ kind: 'connectivity', name: 'conn', instanceName: 'c-inst', auth: 'secret' }],
      check: ([conn]) => {
        assert.equal(conn?.clientId, 'sb-clone9e8d7c!b16994|connectivity!b137');
        assert.equal(conn?.auth.kind === 'secret' && conn.auth.clientSecret, CANARY_SECRET);
        assert.deepEqual(conn?.meta?.tags, ['connectivity', 'conn']);
        for (const name of ['type', 'provider', 'instance_name', 'tags', 'plan']) assert.equal(name in (conn?.credentials ?? {}), false, name);
      },
    },
    {
      name: 'hand-made X.509 with PEM files keeps the PEM (only one trailing newline removed)',
      setup: async (dir) => {
        await writePlain(join(dir, 'uaa'), plainFiles(x509(xsuaaKey()), { type: 'xsuaa' }));
      },
      expect: [{ kind: 'xsuaa', name: 'uaa', instanceName: undefined, auth: 'x509' }],
      check: ([uaa]) => assert.equal(uaa?.auth.kind === 'x509' && uaa.auth.certificate, CERT_PEM),
    },
    {
      name: 'kind from the label file, and from tags when type and label name another service',
      setup: async (dir) => {
        await writePlain(join(dir, 'a'), plainFiles(destinationKey(), { label: 'destination' }));
        await writePlain(join(dir, 'b'), plainFiles(xsuaaKey(), { type: 'user-provided', tags: '["custom","xsuaa"]' }));
      },
      expect: [
        { kind: 'destination', name: 'a', instanceName: undefined, auth: 'secret' },
        { kind: 'xsuaa', name: 'b', instanceName: undefined, auth: 'secret' },
      ],
    },
    {
      name: 'secretKey style: credentials as one JSON container file, with .metadata',
      setup: async (dir) => {
        await writeSecretVolume(join(dir, 'dest'), {
          credentials: JSON.stringify(destinationKey()),
          type: 'destination',
          instance_name: 'dest-inst',
          '.metadata': JSON.stringify({
            metaDataProperties: [
              { name: 'type', format: 'text' },
              { name: 'instance_name', format: 'text' },
            ],
            credentialProperties: [{ name: 'credentials', format: 'json', container: true }],
          }),
        });
      },
      expect: [{ kind: 'destination', name: 'dest', instanceName: 'dest-inst', auth: 'secret' }],
    },
    {
      name: 'a single credentials JSON file without .metadata',
      setup: async (dir) => {
        await writePlain(join(dir, 'dest'), { credentials: `${JSON.stringify(destinationKey(), null, 2)}\n`, type: 'destination\n' });
      },
      expect: [{ kind: 'destination', name: 'dest', instanceName: undefined, auth: 'secret' }],
    },
    {
      name: 'secretRootKey style: one JSON file holding credentials and metadata (values as strings)',
      setup: async (dir) => {
        const flat = Object.fromEntries(Object.entries(connectivityKey()).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
        const all = {
          ...flat,
          instance_name: 'conn-inst',
          instance_guid: 'g',
          plan: 'lite',
          label: 'connectivity',
          type: 'connectivity',
          tags: '["connectivity"]',
        };
        await writeSecretVolume(join(dir, 'conn'), { binding: JSON.stringify(all) });
      },
      expect: [{ kind: 'connectivity', name: 'conn', instanceName: 'conn-inst', auth: 'secret' }],
      check: ([conn]) => {
        assert.deepEqual(conn?.meta?.tags, ['connectivity']);
        assert.equal('type' in (conn?.credentials ?? {}), false);
      },
    },
    {
      name: 'secretRootKey + secretKey: the credentials nested as a JSON string',
      setup: async (dir) => {
        const all = { credentials: JSON.stringify(xsuaaKey()), instance_name: 'u', type: 'xsuaa' };
        await writePlain(join(dir, 'uaa'), { root: JSON.stringify(all) });
      },
      expect: [{ kind: 'xsuaa', name: 'uaa', instanceName: 'u', auth: 'secret' }],
    },
    {
      name: '.metadata spelled metadataProperties',
      setup: async (dir) => {
        const files = operatorFiles(xsuaaKey(), { type: 'xsuaa', instance: 'u' });
        files['.metadata'] = files['.metadata']?.replace('metaDataProperties', 'metadataProperties') ?? '';
        await writePlain(join(dir, 'uaa'), files);
      },
      expect: [{ kind: 'xsuaa', name: 'uaa', instanceName: 'u', auth: 'secret' }],
    },
    {
      name: 'other services, untyped dirs, hidden entries and plain files at the root are skipped',
      setup: async (dir) => {
        await writeSecretVolume(join(dir, 'hana'), operatorFiles({ host: 'h', password: CANARY_SECRET }, { type: 'hana', instance: 'db' }));
        await writePlain(join(dir, 'untyped'), plainFiles(destinationKey(), {}));
        await writePlain(join(dir, '..data'), plainFiles(destinationKey(), { type: 'destination' }));
        await writePlain(join(dir, '.hidden'), plainFiles(destinationKey(), { type: 'destination' }));
        await writeFile(join(dir, 'README'), 'not a binding');
        await writePlain(join(dir, 'dest'), plainFiles(destinationKey(), { type: 'destination' }));
      },
      expect: [{ kind: 'destination', name: 'dest', instanceName: undefined, auth: 'secret' }],
    },
    {
      name: 'a symlinked binding directory is followed',
      setup: async (dir) => {
        await writePlain(join(dir, '..real', 'dest'), plainFiles(destinationKey(), { type: 'destination' }));
        await symlink(join('..real', 'dest'), join(dir, 'dest'));
      },
      expect: [{ kind: 'destination', name: 'dest', instanceName: undefined, auth: 'secret' }],
    },
    { name: 'an empty root', setup: async () => undefined, expect: [] },
  ];

  for (const layout of layouts) {
    it(layout.name, async () => {
      await layout.setup(root);
      const bindings = await bindingsFromServiceBindingRoot(root);
      assert.deepEqual(summary(bindings), layout.expect);
      layout.check?.(bindings);
    });
  }

  const failures: ReadonlyArray<{ name: string; setup: (root: string) => Promise<string>; code: string; field?: string; fragment: (root: string) => string }> =
    [
      {
        name: 'missing root → BindingNotFound naming the path',
        setup: async (dir) => join(dir, 'nope'),
        code: ErrorCode.BindingNotFound,
        fragment: (dir) => `SERVICE_BINDING_ROOT directory "${join(dir, 'nope')}" does not exist`,
      },
      {
        name: 'root is a file',
        setup: async (dir) => {
          await writeFile(join(dir, 'file'), 'x');
          return join(dir, 'file');
        },
        code: ErrorCode.BindingInvalid,
        fragment: (dir) => `"${join(dir, 'file')}" is not a directory`,
      },
      {
        name: 'a binding with a bad credential names the binding directory',
        setup: async (dir) => {
          await writePlain(join(dir, 'dest'), plainFiles({ ...destinationKey(), uri: 'nope', clientsecret: `${CANARY_SECRET}\n` }, { type: 'destination' }));
          return dir;
        },
        code: ErrorCode.BindingInvalid,
        field: 'uri',
        fragment: (dir) => `The destination service key from service binding directory "${join(dir, 'dest')}" is not valid`,
      },
      {
        name: 'invalid .metadata JSON names the file',
        setup: async (dir) => {
          await writePlain(join(dir, 'dest'), { ...plainFiles(destinationKey(), { type: 'destination' }), '.metadata': '{"credentialProperties": [' });
          return dir;
        },
        code: ErrorCode.BindingInvalid,
        field: 'json',
        fragment: (dir) => `File "${join(dir, 'dest', '.metadata')}" is not valid JSON`,
      },
      {
        name: 'a json-format credential that is not JSON names the file',
        setup: async (dir) => {
          const files = operatorFiles(connectivityKey(), { type: 'connectivity', instance: 'c' });
          files['token-type'] = '[xsuaa';
          await writePlain(join(dir, 'conn'), files);
          return dir;
        },
        code: ErrorCode.BindingInvalid,
        field: 'json',
        fragment: (dir) => `File "${join(dir, 'conn', 'token-type')}" is not valid JSON`,
      },
    ];
  for (const failure of failures) {
    it(`fails: ${failure.name}`, async () => {
      const path = await failure.setup(root);
      const error = await rejected(bindingsFromServiceBindingRoot(path));
      if (failure.field !== undefined) assertIssue(error, { code: failure.code, field: failure.field, fragment: '' });
      assert.equal((error as { code: string }).code, failure.code);
      matches((error as Error).message, failure.fragment(root));
      assert.ok(!exposedText(error).includes('CANARY'));
    });
  }
});
