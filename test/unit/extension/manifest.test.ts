import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommandId, ViewId } from '../../../src/extension/commands/commandIds';
import { Setting } from '../../../src/extension/config';

// The manifest and the code agree: commands, views, settings and the menus that name them.

interface Manifest {
  engines: { vscode: string };
  main: string;
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    views: Record<string, { id: string }[]>;
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, unknown> };
    viewsWelcome: { view: string; contents: string }[];
    languages: { id: string; extensions?: string[]; filenamePatterns?: string[] }[];
    configurationDefaults: Record<string, Record<string, unknown>>;
  };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const ids = Object.values(CommandId);

describe('package.json contributions', () => {
  it('declares exactly the commands the extension registers, each in the "BTP Connect" category', () => {
    assert.deepEqual(manifest.contributes.commands.map((command) => command.command).sort(), [...ids].sort());
    for (const command of manifest.contributes.commands) assert.equal(command.category, 'BTP Connect', command.command);
  });

  it('every menu entry names a declared command, and title-bar entries have icons', () => {
    const declared = new Map(manifest.contributes.commands.map((command) => [command.command, command]));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) {
        assert.ok(declared.has(entry.command), `${menu}: ${entry.command}`);
        if (menu === 'view/title' && (entry as { group?: string }).group?.startsWith('navigation')) assert.ok(declared.get(entry.command)?.icon, `${entry.command} has an icon`);
      }
    }
  });

  it('declares the views the code creates and welcome content for both', () => {
    const views = Object.values(manifest.contributes.views).flat().map((view) => view.id);
    assert.deepEqual(views.sort(), Object.values(ViewId).sort());
    assert.deepEqual(manifest.contributes.viewsWelcome.map((welcome) => welcome.view).sort(), Object.values(ViewId).sort());
    assert.match(manifest.contributes.viewsWelcome.find((welcome) => welcome.view === ViewId.destinations)?.contents ?? '', /command:btpConnect\.connect[\s\S]*command:btpConnect\.startSandbox/);
  });

  it('declares exactly the settings Config reads', () => {
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), Object.values(Setting).sort());
  });

  // VS Code reads files.autoSave per resource, for the language it guesses from the resource's path: for a focus
  // change from the editor's URI (btp-destination:/<connection>/<level>/<name>.btp-destination), after a delay or a
  // window change from the working copy it makes of it: vscode-custom-editor:/<base64 of the URI's UTF-16 code
  // units>, so every such path starts with the base64 of the scheme (15 characters, 30 bytes: whole base64 groups).
  it('keeps VS Code auto-save off for destination editors: both resources they have map to a language whose default is off', () => {
    const language = manifest.contributes.languages.find((candidate) => candidate.id === 'btp-destination');
    assert.deepEqual(language?.extensions, ['.btp-destination']);
    const workingCopy = (uri: string) => `/${Buffer.from(uri, 'utf16le').toString('base64')}`;
    const prefix = workingCopy('btp-destination').slice(1);
    assert.ok(workingCopy('btp-destination:/dev/subaccount/my-api.btp-destination').startsWith(`/${prefix}`));
    // A "?" in a name can put a "/" into the base64, hence the second alternative.
    assert.match(workingCopy('btp-destination:/dev/subaccount/dest-?.btp-destination'), new RegExp(`^/${prefix}[^/]*/`));
    assert.deepEqual(language?.filenamePatterns, [`{/${prefix}*,/${prefix}*/**}`]);
    assert.deepEqual(manifest.contributes.configurationDefaults['[btp-destination]'], { 'files.autoSave': 'off' });
  });

  it('points main at the bundle', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.engines.vscode, /^\^1\.\d+\.0$/);
  });
});
