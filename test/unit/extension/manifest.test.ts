import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommandId, ViewId } from '../../../src/extension/base/commandIds';
import { Setting } from '../../../src/extension/base/config';

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
        if (menu === 'view/title' && (entry as { group?: string }).group?.startsWith('navigation'))
          assert.ok(declared.get(entry.command)?.icon, `${entry.command} has an icon`);
      }
    }
  });

  it('declares the views the code creates and welcome content for both', () => {
    const views = Object.values(manifest.contributes.views)
      .flat()
      .map((view) => view.id);
    assert.deepEqual(views.sort(), Object.values(ViewId).sort());
    assert.deepEqual(manifest.contributes.viewsWelcome.map((welcome) => welcome.view).sort(), Object.values(ViewId).sort());
    assert.match(
      resolve(manifest.contributes.viewsWelcome.find((welcome) => welcome.view === ViewId.destinations)?.contents ?? ''),
      /command:btpConnect\.connect[\s\S]*command:btpConnect\.startSandbox/,
    );
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

// Marketplace and localisation: everything a user reads in the manifest comes from package.nls.json, the icon is
// what the Marketplace takes, and the walkthrough's steps point at files and commands that exist.

const root = join(__dirname, '..', '..', '..');
const raw = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const PLACEHOLDER = /^%([\w.-]+)%$/;
/** Keys whose string values a user reads (VS Code localises any string value that is a whole `%key%`). */
const READ_BY_USERS = new Set([
  'displayName',
  'description',
  'title',
  'name',
  'contextualTitle',
  'contents',
  'markdownDescription',
  'enumDescriptions',
  'label',
  'altText',
]);

/** Every string value in the manifest with its JSON path, skipping the snippet bodies (launch.json text, not UI). */
function strings(value: unknown, path: string[] = []): { path: string[]; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (path.at(-1) === 'body') return [];
  if (Array.isArray(value)) return value.flatMap((entry, index) => strings(entry, [...path, String(index)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, entry]) => strings(entry, [...path, key]));
  return [];
}
const resolve = (text: string): string => {
  const key = PLACEHOLDER.exec(text)?.[1];
  return key === undefined ? text : (nls[key] ?? assert.fail(`%${key}% has no entry in package.nls.json`));
};

interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: { id: string; title: string; description: string; media: { markdown?: string; image?: string }; completionEvents: string[] }[];
}

describe('package.json for the Marketplace', () => {
  it('every %key% resolves in package.nls.json, and every entry there is used', () => {
    const keys = strings(raw)
      .map((entry) => PLACEHOLDER.exec(entry.value)?.[1])
      .filter((key): key is string => key !== undefined);
    assert.ok(keys.length > 50, `${keys.length} placeholders`);
    for (const key of keys) assert.equal(typeof nls[key], 'string', `%${key}% is in package.nls.json`);
    for (const key of Object.keys(nls)) assert.ok(keys.includes(key), `package.nls.json: "${key}" is used`);
    for (const [key, text] of Object.entries(nls)) assert.ok(text.trim().length > 0, `"${key}" is not empty`);
  });

  it('every text a user reads is a %key% placeholder, and every command has a title', () => {
    for (const entry of strings(raw)) {
      const key = entry.path.find((part) => READ_BY_USERS.has(part));
      // `name` and `label` also name things that are not shown as such (the package, debug types): only under contributes.
      if (key === undefined || (entry.path[0] !== 'contributes' && !['displayName', 'description'].includes(entry.path[0] ?? ''))) continue;
      assert.match(entry.value, PLACEHOLDER, `${entry.path.join('.')} is localisable`);
    }
    for (const command of manifest.contributes.commands) assert.ok(resolve(command.title).length > 0, `${command.command} has a title`);
  });

  it('has a 128×128 PNG icon, a gallery banner and the project links', () => {
    const png = readFileSync(join(root, raw.icon as string));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    const banner = raw.galleryBanner as { color: string; theme: string };
    assert.match(banner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(banner.theme));
    for (const url of [(raw.repository as { url: string }).url, (raw.bugs as { url: string }).url, raw.homepage as string])
      assert.match(url, /^https:\/\/github\.com\/btp-connect\/btp-connect/);
    assert.ok(!(raw.categories as string[]).every((category) => category === 'Other'), 'a category beyond "Other"');
  });

  it('runs where the workspace is and says what works untrusted and in virtual workspaces', () => {
    assert.deepEqual(raw.extensionKind, ['workspace']);
    const capabilities = raw.capabilities as {
      untrustedWorkspaces: { supported: string; description: string; restrictedConfigurations: string[] };
      virtualWorkspaces: { supported: string; description: string };
    };
    assert.equal(capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(resolve(capabilities.untrustedWorkspaces.description), /Restricted Mode[\s\S]*launch configurations/i);
    // Settings a workspace could use against its user: starting forwards, loosening them, running tunnel programs.
    for (const setting of [Setting.autoStart, Setting.allowedOrigins, Setting.tunnels, Setting.debugTypes, Setting.requireLocalToken]) {
      assert.ok(capabilities.untrustedWorkspaces.restrictedConfigurations.includes(setting), `${setting} is restricted`);
    }
    for (const setting of capabilities.untrustedWorkspaces.restrictedConfigurations)
      assert.ok((Object.values(Setting) as string[]).includes(setting), `${setting} is a setting`);
    assert.equal(capabilities.virtualWorkspaces.supported, 'limited');
    assert.ok(resolve(capabilities.virtualWorkspaces.description).length > 0);
  });

  it('has a Getting Started walkthrough: connect → forward → debug → check, with its files and real commands', () => {
    const walkthroughs = (raw.contributes as { walkthroughs: Walkthrough[] }).walkthroughs;
    assert.equal(walkthroughs.length, 1);
    const [walkthrough] = walkthroughs;
    assert.ok(walkthrough);
    assert.deepEqual(
      walkthrough.steps.map((step) => step.id),
      ['connect', 'forward', 'debug', 'check'],
    );
    const commands = new Set(ids as string[]);
    const vscodeCommands = new Set(['debug.addConfiguration']);
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image ?? '';
      assert.ok(existsSync(join(root, media)), `${step.id}: ${media} exists`);
      assert.ok(step.completionEvents.length > 0, `${step.id} can be completed`);
      for (const event of step.completionEvents) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        if (command) assert.ok(commands.has(command) || vscodeCommands.has(command), `${step.id}: ${command} exists`);
        else assert.match(event, /^onContext:btpConnect\.hasConnections$/, `${step.id}: ${event}`);
      }
      const links = [...resolve(step.description).matchAll(/\(command:([\w.]+)\)/g)].map((match) => match[1] ?? '');
      assert.ok(links.length > 0, `${step.id} has a button`);
      for (const link of links) assert.ok(commands.has(link) || vscodeCommands.has(link), `${step.id}: button ${link}`);
      // Each button's command also completes the step.
      for (const link of links) assert.ok(step.completionEvents.includes(`onCommand:${link}`), `${step.id}: ${link} completes it`);
    }
  });
});
