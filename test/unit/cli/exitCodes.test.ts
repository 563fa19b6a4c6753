import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode, exitCodeFor, exitCodeHelp } from '../../../src/cli/exitCodes';
import { ErrorCode } from '../../../src/core/errors';

describe('exit codes', () => {
  it('every error code has one of the exit codes --help documents', () => {
    const documented = new Set([...exitCodeHelp.matchAll(/^ {2}(\d) /gm)].map((match) => Number(match[1])));
    for (const code of Object.values(ErrorCode)) {
      const exit = exitCodeFor(code);
      assert.ok(documented.has(exit) && exit !== ExitCode.Ok, `${code} → ${exit}`);
    }
  });

  it('groups codes by what the user must do', () => {
    assert.equal(exitCodeFor(ErrorCode.InvalidInput), ExitCode.InvalidInput);
    assert.equal(exitCodeFor(ErrorCode.NotFound), ExitCode.NotFound);
    assert.equal(exitCodeFor(ErrorCode.ProxyAuthRejected), ExitCode.AccessDenied);
    assert.equal(exitCodeFor(ErrorCode.ForwardBusy), ExitCode.ServiceFailure);
    assert.equal(exitCodeFor(ErrorCode.KeychainUnavailable), ExitCode.Keychain);
    assert.equal(exitCodeFor(ErrorCode.PortInUse), ExitCode.Conflict);
  });
});
