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

  it('points main at the bundle', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.engines.vscode, /^\^1\.\d+\.0$/);
  });
});
