import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readConfigFile, readConfigState, waitForAcknowledgement, writeConfigFile } from '../../../src/sandbox/cloudConnector/configClient';
import { CONFIG_FILE_NAME, parseCloudConnectorFile, type CloudConnectorFile } from '../../../src/sandbox/cloudConnector/configFile';
import { sha256Of } from '../../../src/sandbox/cloudConnector/configWatcher';
import { defaultCloudConnectorFile } from '../../../src/sandbox/cloudConnector/sandboxMappings';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox';

let directory: string;
let sandbox: Sandbox;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'btp-cc-config-'));
  sandbox = await startSandbox({ directory });
});

after(async () => {
  await sandbox.close();
  await rm(directory, { recursive: true, force: true });
});

const pg = { virtualHost: 'pg.virtual', virtualPort: 5432, localHost: '127.0.0.1', localPort: 15432, protocol: 'TCP' } as const;
const withPg = (file: CloudConnectorFile): CloudConnectorFile => ({
  connectors: file.connectors.map((entry, index) => (index === 0 ? { ...entry, mappings: [...entry.mappings, pg] } : entry)),
});

describe('cloud-connector.json in the sandbox folder', () => {
  it('is written with the built-in defaults on a first start, and the running sandbox says it applied them', async () => {
    const text = await readFile(join(directory, CONFIG_FILE_NAME), 'utf8');
    assert.deepEqual(parseCloudConnectorFile(text), defaultCloudConnectorFile());
    const state = await readConfigState(directory);
    assert.equal(state?.status, 'applied');
    assert.equal(state?.sha256, sha256Of(text));
    assert.equal(state?.pid, process.pid);
    assert.deepEqual(
      sandbox.connectors.map((connector) => connector.locationId),
      ['', 'loc2'],
    );
  });

  it('applies a valid change while running (a mapping added, a location added, one removed)', async () => {
    const { file } = await readConfigFile(directory);
    const changed = withPg(file);
    const next: CloudConnectorFile = {
      connectors: [...changed.connectors.filter((entry) => entry.locationId !== 'loc2'), { locationId: 'loc3', mappings: [pg] }],
    };
    const ack = await waitForAcknowledgement(directory, await writeConfigFile(directory, next));
    assert.equal(ack.kind, 'applied');
    assert.deepEqual(
      sandbox.connectors.map((connector) => connector.locationId),
      ['', 'loc3'],
    );
    const primary = sandbox.connectors[0];
    assert.ok(primary?.mappings.some((mapping) => mapping.virtualHost === 'pg.virtual' && mapping.localPort === 15432));
    assert.equal(primary?.mappings[0]?.localPort, sandbox.onPremise.erp.port, "builtin:erp resolved to the ERP's port of this start");
    assert.equal(sandbox.connectors[1]?.state, 'connected');
    assert.deepEqual(sandbox.cloudConnectorConfig, next);
  });

  it('keeps the last good configuration when a change is invalid, and names the field', async () => {
    const before = sandbox.connectors[0]?.mappings;
    const { file } = await readConfigFile(directory);
    const broken = JSON.parse(JSON.stringify(file)) as { connectors: { mappings: Record<string, unknown>[] }[] };
    (broken.connectors[0]?.mappings[2] as Record<string, unknown>).virtualPort = 0;
    const text = `${JSON.stringify(broken, null, 2)}\n`;
    // As an editor saves: written in place, not renamed.
    await writeFile(join(directory, CONFIG_FILE_NAME), text);
    const ack = await waitForAcknowledgement(directory, sha256Of(text));
    assert.equal(ack.kind, 'rejected');
    assert.equal(ack.kind === 'rejected' && ack.state.field, 'connectors[0].mappings[2].virtualPort');
    assert.match(ack.kind === 'rejected' ? (ack.state.error ?? '') : '', /connectors\[0\]\.mappings\[2\]\.virtualPort must be 1–65535/);
    assert.equal(sandbox.connectors[0]?.mappings, before);
    assert.deepEqual((ack.kind === 'rejected' && ack.state.config) || undefined, sandbox.cloudConnectorConfig);

    // Corrected by a rename over the file (as `sandbox expose` writes): applied again.
    const fixed = withPg(defaultCloudConnectorFile());
    const temporary = join(directory, 'edit.tmp');
    const fixedText = `${JSON.stringify(fixed, null, 2)}\n`;
    await writeFile(temporary, fixedText);
    await rename(temporary, join(directory, CONFIG_FILE_NAME));
    assert.equal((await waitForAcknowledgement(directory, sha256Of(fixedText))).kind, 'applied');
    assert.deepEqual(
      sandbox.connectors.map((connector) => connector.locationId),
      ['', 'loc2'],
    );
  });

  it('keeps the file across restarts; a stopped sandbox answers no more', async () => {
    const text = await readFile(join(directory, CONFIG_FILE_NAME), 'utf8');
    await sandbox.close();
    assert.equal(await readConfigState(directory), undefined);
    assert.equal((await waitForAcknowledgement(directory, 'x')).kind, 'not-running');
    sandbox = await startSandbox({ directory });
    assert.equal(await readFile(join(directory, CONFIG_FILE_NAME), 'utf8'), text);
    assert.ok(sandbox.connectors[0]?.mappings.some((mapping) => mapping.virtualHost === 'pg.virtual'));
    assert.equal(sandbox.connectors[0]?.mappings[0]?.localPort, sandbox.onPremise.erp.port);
  });

  it('an invalid file at start: the built-in access control runs, the state names the field', async () => {
    const other = await mkdtemp(join(tmpdir(), 'btp-cc-bad-'));
    try {
      const text =
        '{ "connectors": [ { "locationId": "", "mappings": [ { "virtualHost": "x.virtual", "virtualPort": 80, "localHost": "127.0.0.1", "localPort": 99999, "protocol": "TCP" } ] } ] }\n';
      await writeFile(join(other, CONFIG_FILE_NAME), text);
      const started = await startSandbox({ directory: other });
      try {
        assert.deepEqual(started.cloudConnectorConfig, defaultCloudConnectorFile());
        assert.deepEqual(
          started.connectors.map((connector) => connector.locationId),
          ['', 'loc2'],
        );
        const state = await readConfigState(other);
        assert.equal(state?.status, 'rejected');
        assert.equal(state?.field, 'connectors[0].mappings[0].localPort');
        assert.equal(await readFile(join(other, CONFIG_FILE_NAME), 'utf8'), text, "the user's file is left as it is");
      } finally {
        await started.close();
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
