import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_FILE_NAME, parseCloudConnectorFile, type CloudConnectorFile, type MappingEntry } from '../../../../src/sandbox/cloudConnector/configFile';
import { CloudConnectorConfigWatcher } from '../../../../src/sandbox/cloudConnector/configWatcher';
import { defaultCloudConnectorFile, upgradeRetiredSamples } from '../../../../src/sandbox/cloudConnector/sandboxMappings';
import { silentLogger } from '../../../../src/core/log';

// Finding: a sandbox folder made before the directory and the mail server existed keeps mapping ldap.virtual:389 and
// smtp.virtual:25 to the line service, so onprem-ldap and onprem-mail never reach them there.
const retired = (virtualHost: string, virtualPort: number, description: string): MappingEntry => ({
  virtualHost,
  virtualPort,
  localHost: 'builtin:line',
  protocol: 'TCP',
  authenticationMode: 'NONE',
  description,
});
const oldFile = (): CloudConnectorFile => {
  const current = defaultCloudConnectorFile();
  const [first, ...rest] = current.connectors;
  const kept = first!.mappings.filter((mapping) => mapping.virtualHost !== 'ldap.virtual' && mapping.virtualHost !== 'smtp.virtual');
  return {
    connectors: [
      {
        ...first!,
        mappings: [...kept, retired('ldap.virtual', 389, 'Line service as a directory'), retired('smtp.virtual', 25, 'Line service as a mail server')],
      },
      ...rest,
    ],
  };
};
const target = (file: CloudConnectorFile, host: string) => file.connectors[0]!.mappings.find((mapping) => mapping.virtualHost === host)?.localHost;

describe('cloud-connector.json of an earlier version: ldap.virtual and smtp.virtual on the line service', () => {
  it('both retired sample mappings become the directory and the mail server; nothing else changes', () => {
    const { file, upgraded } = upgradeRetiredSamples(oldFile());
    assert.deepEqual(upgraded, ['ldap.virtual:389', 'smtp.virtual:25']);
    assert.deepEqual(file, defaultCloudConnectorFile());
  });

  it('a mapping the user changed stays theirs (another description, another target, resources)', () => {
    for (const changed of [
      retired('smtp.virtual', 25, 'my own relay'),
      { ...retired('smtp.virtual', 25, 'Line service as a mail server'), localHost: '127.0.0.1', localPort: 2525 },
      { ...retired('smtp.virtual', 25, 'Line service as a mail server'), resources: [] },
    ]) {
      const file: CloudConnectorFile = { connectors: [{ locationId: '', mappings: [changed] }] };
      const result = upgradeRetiredSamples(file);
      assert.deepEqual(result.upgraded, []);
      assert.equal(result.file, file);
    }
  });

  it('a sandbox starting on such a folder rewrites the file and applies the upgraded mappings', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'btp-cc-upgrade-'));
    try {
      writeFileSync(join(directory, CONFIG_FILE_NAME), JSON.stringify(oldFile(), null, 2));
      const lines: string[] = [];
      const logger = { ...silentLogger, info: (message: string) => lines.push(message), child: () => logger };
      const watcher = new CloudConnectorConfigWatcher(directory, async () => undefined, defaultCloudConnectorFile(), logger);
      const applied = await watcher.load();
      assert.equal(target(applied, 'smtp.virtual'), 'builtin:mail');
      assert.equal(target(applied, 'ldap.virtual'), 'builtin:ldap');
      const onDisk = parseCloudConnectorFile(readFileSync(join(directory, CONFIG_FILE_NAME), 'utf8'));
      assert.equal(target(onDisk, 'smtp.virtual'), 'builtin:mail');
      assert.ok(
        lines.some((line) => line.includes('ldap.virtual:389 and smtp.virtual:25')),
        lines.join('\n'),
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
