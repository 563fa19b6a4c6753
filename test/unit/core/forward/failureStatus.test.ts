import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BtpError, ErrorCode } from '../../../../src/core/errors';
import { clientErrorStatus, isUpstreamTimeout, statusFor } from '../../../../src/core/forward/failureStatus';

describe('the status of a request that failed before the backend answered', () => {
  const table: ReadonlyArray<[ErrorCode | 'plain', number]> = [
    [ErrorCode.Timeout, 504],
    [ErrorCode.TunnelDown, 503],
    [ErrorCode.ServiceUnavailable, 503],
    [ErrorCode.NotFound, 404],
    [ErrorCode.Unreachable, 502],
    [ErrorCode.UpstreamFailed, 502],
    ['plain', 502],
  ];
  for (const [code, status] of table) {
    it(`${code} → ${status}`, () => assert.equal(statusFor(code === 'plain' ? new Error('x') : new BtpError(code, 'x')), status));
  }

  it('undici timeouts are upstream timeouts; other errors are not', () => {
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
      assert.equal(isUpstreamTimeout(Object.assign(new Error(), { code })), true, code);
    for (const value of [Object.assign(new Error(), { code: 'ECONNRESET' }), new Error(), undefined, 'UND_ERR_CONNECT_TIMEOUT'])
      assert.equal(isUpstreamTimeout(value), false);
  });

  it("Node's parser refusals get their own status line", () => {
    assert.equal(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT'), '408 Request Timeout');
    assert.equal(clientErrorStatus('HPE_HEADER_OVERFLOW'), '431 Request Header Fields Too Large');
    assert.equal(clientErrorStatus('HPE_INVALID_METHOD'), '400 Bad Request');
    assert.equal(clientErrorStatus(undefined), '400 Bad Request');
  });
});
