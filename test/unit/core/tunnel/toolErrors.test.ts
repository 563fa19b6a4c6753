import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { ccFailure, cfFailure, kubectlFailure } from '../../../../src/core/tunnel/toolErrors';
import { processToolRunner } from '../../../../src/core/tunnel/toolRunner';

// The texts of the real tools, by cause. cf CLI v8 prints the error on stderr and "FAILED" on stdout
// (util/ui/ui.go); the texts are from its command/translatableerror and the Cloud Controller's error details.

const failed = (stderr: string) => ({ code: 1, stdout: 'FAILED\n', stderr: `${stderr}\n` });

describe('what a failed cf or kubectl run means', () => {
  it("cf: each cause its code, the tool's own words quoted, the fix named", () => {
    const cases: [string, ErrorCode, RegExp][] = [
      ["Not logged in. Use 'cf login' or 'cf login --sso' to log in.", ErrorCode.CliNotLoggedIn, /`cf login --sso`/],
      ["No API endpoint set. Use 'cf login' or 'cf api' to target an endpoint.", ErrorCode.CliNotLoggedIn, /cf login -a/],
      ['The token expired, was revoked, or the token ID is incorrect. Please log back in to re-authenticate.', ErrorCode.CliLoginExpired, /`cf login --sso`/],
      ["No org or space targeted, use 'cf target -o ORG -s SPACE'", ErrorCode.CfNoTarget, /cf target -o <org> -s <space>/],
      ["organization's memory limit exceeded: staging requires 1024M memory", ErrorCode.QuotaExceeded, /more quota/],
      ['memory space_quota_exceeded', ErrorCode.QuotaExceeded, /Free memory/],
      ["You have exceeded your organization's memory limit: app requested more memory than available", ErrorCode.QuotaExceeded, /Free memory/],
      ['Error opening SSH connection: You are not authorized to perform the requested action.', ErrorCode.SshDisabledApp, /`cf enable-ssh tunnel`/],
      ["Start unsuccessful\n\nTIP: use 'cf logs tunnel --recent' for more information", ErrorCode.TunnelAppCrashed, /`cf logs tunnel --recent`/],
      ["Application 'tunnel' is not in the STARTED state", ErrorCode.TunnelAppCrashed, /`cf start tunnel`/],
      ['You are not authorized to perform the requested action.', ErrorCode.Forbidden, /Space Developer/],
      ["App 'tunnel' not found.", ErrorCode.NotFound, /cf apps/],
      ['Something new', ErrorCode.ServiceError, /`cf start tunnel` failed: Something new\./],
    ];
    for (const [stderr, code, fix] of cases) {
      const error = cfFailure('start tunnel', failed(stderr), 'tunnel');
      assert.equal(error.code, code, stderr);
      assert.match(error.message, fix, stderr);
      assert.ok(error.message.includes(stderr.split('\n')[0] ?? ''), `quotes the tool: ${error.message}`);
      assert.equal(error.message.includes('FAILED'), false);
      assert.deepEqual(error.details?.tool, 'cf');
    }
  });

  it('cf curl: Cloud Controller errors in the body', () => {
    assert.equal(ccFailure('/v3/apps', [{ code: 10002, title: 'CF-NotAuthenticated', detail: 'Authentication error' }]).code, ErrorCode.CliLoginExpired);
    assert.equal(
      ccFailure('/v3/apps', [{ code: 10003, title: 'CF-NotAuthorized', detail: 'You are not authorized to perform the requested action' }]).code,
      ErrorCode.Forbidden,
    );
    assert.equal(ccFailure('/v3/apps/x', [{ code: 10010, title: 'CF-ResourceNotFound', detail: 'App not found' }]).code, ErrorCode.NotFound);
  });

  it('kubectl: unreachable, not logged in, RBAC forbidden, unknown context, not found', () => {
    const cases: [string, ErrorCode][] = [
      ['Unable to connect to the server: dial tcp: lookup api.c-1.kyma.ondemand.com: no such host', ErrorCode.KubeUnreachable],
      ['Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout', ErrorCode.KubeUnreachable],
      ['error: You must be logged in to the server (Unauthorized)', ErrorCode.CliNotLoggedIn],
      [
        'Error from server (Forbidden): services "connectivity-proxy" is forbidden: User "dev@example.com" cannot get resource "services" in API group "" in the namespace "kyma-system"',
        ErrorCode.KubeForbidden,
      ],
      ['error: context "nope" does not exist', ErrorCode.InvalidInput],
      ['error: current-context is not set', ErrorCode.InvalidInput],
      ['Error from server (NotFound): configmaps "connectivity-proxy-info" not found', ErrorCode.NotFound],
    ];
    for (const [stderr, code] of cases) assert.equal(kubectlFailure('get', { code: 1, stdout: '', stderr }, 'ctx', 'kyma-system').code, code, stderr);
  });

  it('never quotes stdout (kubectl get secret prints credentials there)', () => {
    const error = kubectlFailure('get secret x', { code: 1, stdout: '{"data":{"clientsecret":"c2VjcmV0"}}', stderr: '' });
    assert.equal(error.message.includes('c2VjcmV0'), false);
  });
});

describe('the tool runner', () => {
  it('a missing program is BTP_TOOL_MISSING naming how to install it', async () => {
    const runner = processToolRunner({ env: process.env, programs: { cf: 'btp-connect-no-such-cf' } });
    await assert.rejects(
      runner.run('cf', ['version']),
      (error: unknown) => isBtpError(error, ErrorCode.ToolMissing) && /Cloud Foundry CLI v8/.test(error.message),
    );
  });

  it('ends a run that does not finish in time, and one that is cancelled, and resolves only once the child is gone', async () => {
    const runner = processToolRunner({ env: process.env, programs: { cf: process.execPath } });
    await assert.rejects(
      runner.run('cf', ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 100 }),
      (error: unknown) => isBtpError(error, ErrorCode.Timeout) && /did not finish within/.test(error.message),
    );
    const controller = new AbortController();
    const cancellable = processToolRunner({ env: process.env, programs: { cf: process.execPath }, signal: controller.signal });
    const running = cancellable.run('cf', ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1000)']);
    controller.abort();
    await assert.rejects(running, (error: unknown) => isBtpError(error, ErrorCode.Timeout) && /cancelled/.test(error.message));
  });
});
