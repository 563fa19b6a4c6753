import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DestinationDraft } from '../../../../src/extension/editor/destinationDraft';

const saved = {
  Name: 'erp',
  Type: 'HTTP',
  URL: 'http://erp.virtual:8000',
  ProxyType: 'OnPremise',
  Authentication: 'BasicAuthentication',
  User: 'alice',
  Password: 'pw-1',
};

const open = () => new DestinationDraft({ connection: 'dev', level: 'subaccount', saved, etag: '"1"' });

describe('destination draft', () => {
  it('starts clean, and its state carries secret states but never a secret value', () => {
    const draft = open();
    const state = draft.state({ certificates: [], secretHome: 'the Destination service' });
    assert.equal(state.dirty, false);
    assert.equal(state.mode, 'edit');
    assert.deepEqual(state.secrets, { Password: 'stored' });
    assert.equal(Object.hasOwn(state.properties, 'Password'), false);
    assert.ok(!JSON.stringify(state).includes('pw-1'), 'the secret value is not in the state');
  });

  it('applies edits in order, acknowledges their sequence number, and is dirty until edited back', () => {
    const draft = open();
    draft.edit(1, { Description: 'x' }, []);
    draft.edit(2, {}, ['Description']);
    assert.equal(draft.state({ certificates: [], secretHome: '' }).editSeq, 2);
    assert.equal(draft.dirty, false, 'back to the saved content');
    draft.edit(3, { URL: 'http://erp.virtual:8001' }, []);
    assert.equal(draft.dirty, true);
  });

  it('never removes a secret through a plain edit, and treats a secret set by edit as a replacement', () => {
    const draft = open();
    draft.edit(1, {}, ['Password']);
    assert.equal(draft.content.Password, 'pw-1');
    draft.edit(2, { Password: 'pw-2' }, []);
    assert.deepEqual(draft.secretStates(), { Password: 'replaced' });
    assert.ok(!JSON.stringify(draft.state({ certificates: [], secretHome: '' })).includes('pw-2'));
  });

  it('replaces, keeps and removes secrets', () => {
    const draft = open();
    draft.setSecret('Password', 'pw-2');
    assert.deepEqual(draft.secretStates(), { Password: 'replaced' });
    assert.equal(draft.content.Password, 'pw-2');
    draft.secretAction('Password', 'keep');
    assert.deepEqual(draft.secretStates(), { Password: 'stored' });
    assert.equal(draft.dirty, false);
    draft.secretAction('Password', 'remove');
    assert.deepEqual(draft.secretStates(), { Password: 'removed' });
    assert.equal(Object.hasOwn(draft.content, 'Password'), false);
  });

  it('lists the differences against the service version with secrets masked', () => {
    const draft = open();
    draft.edit(1, { Description: 'mine' }, []);
    draft.setSecret('Password', 'pw-mine');
    const changes = draft.changesAgainst({ ...saved, Description: 'theirs', Password: 'pw-theirs', 'sap-client': '100' });
    assert.deepEqual(changes, [
      { name: 'Description', secret: false, mine: 'mine', theirs: 'theirs' },
      { name: 'Password', secret: true, mine: '(secret)', theirs: '(secret)' },
      { name: 'sap-client', secret: false, theirs: '100' },
    ]);
  });

  it('rebases on their version (save mine over theirs) and resets to it (discard mine)', () => {
    const draft = open();
    draft.edit(1, { Description: 'mine' }, []);
    draft.rebase({ ...saved, Description: 'theirs' }, '"2"');
    assert.equal(draft.etag, '"2"');
    assert.equal(draft.content.Description, 'mine');
    draft.reset({ ...saved, Description: 'theirs' }, '"2"');
    assert.equal(draft.content.Description, 'theirs');
    assert.equal(draft.dirty, false);
  });

  it('backs up without secret values and restores the saved secret by name', () => {
    const draft = open();
    draft.edit(1, { Description: 'unsaved' }, []);
    draft.setSecret('Password', 'typed-but-unsaved');
    const backup = draft.backup();
    assert.ok(!JSON.stringify(backup).includes('typed-but-unsaved'));
    assert.ok(!JSON.stringify(backup).includes('pw-1'));
    const restored = open();
    restored.restore(backup);
    assert.equal(restored.content.Description, 'unsaved');
    assert.equal(restored.content.Password, 'pw-1', 'the saved secret, not the unsaved one that never reached a file');
  });

  it('a new draft is dirty from the start and has no saved name', () => {
    const draft = new DestinationDraft({ connection: 'dev', level: 'instance', initial: { Type: 'HTTP' } });
    assert.equal(draft.isNew, true);
    assert.equal(draft.dirty, true);
    assert.equal(draft.state({ certificates: [], secretHome: '' }).mode, 'new');
    draft.markSaved({ Name: 'n', Type: 'HTTP' }, '"1"');
    assert.equal(draft.isNew, false);
    assert.equal(draft.savedName, 'n');
  });
});
