import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultSandboxDirectory } from '../../../src/cli/sandboxDirectory';

// The folder `btp-connect sandbox` (and `check`, for its access control) uses without --dir, on each OS.
describe('defaultSandboxDirectory', () => {
  const home = join('home', 'dev');

  it('Linux: ~/.local/state/btp-connect/sandbox', () => {
    assert.equal(defaultSandboxDirectory({ env: {} }, 'linux', home), join(home, '.local', 'state', 'btp-connect', 'sandbox'));
  });

  it("Windows: %LOCALAPPDATA%\\btp-connect\\sandbox (this machine's, not the roaming profile), its usual place when unset", () => {
    assert.equal(
      defaultSandboxDirectory({ env: { LOCALAPPDATA: join('C:', 'Users', 'dev', 'AppData', 'Local') } }, 'win32', home),
      join('C:', 'Users', 'dev', 'AppData', 'Local', 'btp-connect', 'sandbox'),
    );
    assert.equal(defaultSandboxDirectory({ env: {} }, 'win32', home), join(home, 'AppData', 'Local', 'btp-connect', 'sandbox'));
  });

  it('macOS: ~/Library/Application Support/btp-connect/sandbox, next to the connections', () => {
    assert.equal(defaultSandboxDirectory({ env: {} }, 'darwin', home), join(home, 'Library', 'Application Support', 'btp-connect', 'sandbox'));
  });

  it('$XDG_STATE_HOME wins on every OS', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      assert.equal(
        defaultSandboxDirectory({ env: { XDG_STATE_HOME: join('x', 'state'), LOCALAPPDATA: 'ignored' } }, platform, home),
        join('x', 'state', 'btp-connect', 'sandbox'),
        platform,
      );
    }
  });
});
