import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChooseCertificate, EDITOR_INBOUND, Edit, Ready, ResolveConflict, Save, SecretAction, SetSecret } from '../../../src/protocol/editorProtocol';
import { envelopeProblem, type Envelope } from '../../../src/protocol/ipc';

/** What WebviewChannel checks before a handler runs: the kind, the method and the payload guard. */
type MessageType = { readonly kind: string; readonly method: string; readonly params: (value: unknown, path: string) => string | undefined };
const matches = (type: MessageType, envelope: Envelope): boolean =>
  envelope.kind !== 'response' && envelope.kind === type.kind && envelope.method === type.method && type.params(envelope.params, 'params') === undefined;

const note = (method: string, params: unknown): Envelope => ({ kind: 'notification', method, params });
const request = (method: string, params: unknown, id = 1): Envelope => ({ kind: 'request', id, method, params });

describe('editor protocol: envelopes', () => {
  it('accepts the three envelope kinds and names what is wrong with anything else', () => {
    assert.equal(envelopeProblem({ kind: 'notification', method: 'ready', params: { version: 1 } }), undefined);
    assert.equal(envelopeProblem({ kind: 'request', id: 3, method: 'save', params: {} }), undefined);
    assert.equal(envelopeProblem({ kind: 'response', id: 3, result: { saved: true } }), undefined);
    assert.match(envelopeProblem(null) ?? '', /message\.kind/);
    assert.match(envelopeProblem({ kind: 'request', id: 1.5, method: 'save', params: {} }) ?? '', /message\.id: expected an integer/);
    assert.match(envelopeProblem({ kind: 'request', id: 1, method: 'x'.repeat(65), params: {} }) ?? '', /message\.method: longer than 64/);
    assert.match(envelopeProblem({ kind: 'notification', method: 'ready', params: {}, extra: 1 }) ?? '', /message\.extra: not expected/);
  });

  it('every inbound method name is unique', () => {
    const methods = EDITOR_INBOUND.map((type) => type.method);
    assert.equal(new Set(methods).size, methods.length);
  });
});

describe('editor protocol: payload guards', () => {
  const cases: { name: string; envelope: Envelope; type: (typeof EDITOR_INBOUND)[number]; ok: boolean }[] = [
    { name: 'ready v1', envelope: note('ready', { version: 1 }), type: Ready, ok: true },
    { name: 'ready of another version', envelope: note('ready', { version: 2 }), type: Ready, ok: false },
    { name: 'edit', envelope: note('edit', { seq: 1, set: { URL: 'https://a.example' }, remove: ['Description'] }), type: Edit, ok: true },
    { name: 'edit with a number value', envelope: note('edit', { seq: 2, set: { Port: 1 }, remove: [] }), type: Edit, ok: false },
    { name: 'edit without seq', envelope: note('edit', { set: {}, remove: [] }), type: Edit, ok: false },
    { name: 'edit without remove', envelope: note('edit', { seq: 3, set: {} }), type: Edit, ok: false },
    { name: 'edit with an oversized value', envelope: note('edit', { seq: 4, set: { URL: 'x'.repeat(256 * 1024 + 1) }, remove: [] }), type: Edit, ok: false },
    {
      name: 'edit with too many properties',
      envelope: note('edit', { seq: 5, set: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`p${i}`, 'v'])), remove: [] }),
      type: Edit,
      ok: false,
    },
    { name: 'setSecret', envelope: note('setSecret', { name: 'Password', value: 's3cret' }), type: SetSecret, ok: true },
    { name: 'setSecret without value', envelope: note('setSecret', { name: 'Password' }), type: SetSecret, ok: false },
    { name: 'secretAction keep', envelope: note('secretAction', { name: 'Password', action: 'keep' }), type: SecretAction, ok: true },
    { name: 'secretAction reveal', envelope: note('secretAction', { name: 'Password', action: 'reveal' }), type: SecretAction, ok: false },
    { name: 'save', envelope: request('save', {}), type: Save, ok: true },
    { name: 'save as a notification', envelope: note('save', {}), type: Save, ok: false },
    { name: 'save with params', envelope: request('save', { force: true }), type: Save, ok: false },
    { name: 'resolveConflict overwrite', envelope: request('resolveConflict', { choice: 'overwrite' }), type: ResolveConflict, ok: true },
    { name: 'resolveConflict merge', envelope: request('resolveConflict', { choice: 'merge' }), type: ResolveConflict, ok: false },
    { name: 'chooseCertificate', envelope: request('chooseCertificate', { property: 'KeyStoreLocation' }), type: ChooseCertificate, ok: true },
    { name: 'another method', envelope: request('revert', {}), type: Save, ok: false },
  ];
  for (const { name, envelope, type, ok } of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${name}`, () => {
      assert.equal(matches(type, envelope), ok);
      if (!ok && envelope.kind !== 'response' && envelope.method === type.method && envelope.kind === type.kind) {
        assert.match(type.params((envelope as { params: unknown }).params, 'params') ?? '', /^params/, 'the problem names the path');
      }
    });
  }
});
