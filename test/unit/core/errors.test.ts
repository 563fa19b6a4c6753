import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BtpError, ErrorCode, isBtpError, validationError } from '../../../src/core/errors';
import type { ValidationIssue } from '../../../src/core/errors';

const brand = Symbol.for('btp-connect.BtpError');

/** What a BtpError from a separately bundled copy of the core looks like to this copy: not our class, same brand. */
function foreignBtpError(code: string): Error {
  class ForeignBtpError extends Error {
    readonly code = code;
  }
  const error = new ForeignBtpError('from another bundle');
  Object.defineProperty(error, brand, { value: true });
  return error;
}

describe('isBtpError', () => {
  it('recognises its own errors, with and without a code filter', () => {
    const error = new BtpError(ErrorCode.NotFound, 'Destination "x" was not found.');
    assert.equal(isBtpError(error), true);
    assert.equal(isBtpError(error, ErrorCode.NotFound), true);
    assert.equal(isBtpError(error, ErrorCode.Conflict), false);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'BtpError');
  });

  it('recognises an error branded by another copy of the module', () => {
    const foreign = foreignBtpError(ErrorCode.Timeout);
    assert.equal(foreign instanceof BtpError, false, 'a different class, as with a second bundle');
    assert.equal(isBtpError(foreign), true);
    assert.equal(isBtpError(foreign, ErrorCode.Timeout), true);
    assert.equal(isBtpError(foreign, ErrorCode.Unreachable), false);
    const plain = { [brand]: true, code: ErrorCode.Forbidden, message: 'm' };
    assert.equal(isBtpError(plain, ErrorCode.Forbidden), true);
  });

  it('refuses look-alikes without the registry brand', () => {
    const lookAlikes: unknown[] = [
      new Error('plain'),
      Object.assign(new Error('coded'), { code: ErrorCode.NotFound, name: 'BtpError' }),
      { code: ErrorCode.NotFound, message: 'x' },
      { [Symbol('btp-connect.BtpError')]: true, code: ErrorCode.NotFound },
      { [brand]: 'true', code: ErrorCode.NotFound },
      { [brand]: 1 },
      null,
      undefined,
      'BTP_NOT_FOUND',
      42,
    ];
    for (const value of lookAlikes) assert.equal(isBtpError(value), false, String(value));
  });

  it('does not expose the brand as an enumerable or JSON property', () => {
    const error = new BtpError(ErrorCode.BadRequest, 'bad');
    assert.equal(Object.getOwnPropertyDescriptor(error, brand)?.enumerable, false);
    assert.equal(Object.getOwnPropertySymbols(JSON.parse(JSON.stringify(error)) as object).length, 0);
  });
});

describe('BtpError', () => {
  it('serialises to plain JSON without stack or cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000 /secret/path'), { code: 'ECONNREFUSED' });
    const error = new BtpError(ErrorCode.Unreachable, 'Destination service at http://127.0.0.1:4000 could not be reached.', {
      cause,
      status: 503,
      serviceMessage: 'down for maintenance',
      details: { code: 'ECONNREFUSED' },
    });
    assert.equal(error.cause, cause, 'the cause stays available in process');
    const json = error.toJSON();
    assert.deepEqual(json, {
      code: 'BTP_UNREACHABLE',
      message: 'Destination service at http://127.0.0.1:4000 could not be reached.',
      status: 503,
      serviceMessage: 'down for maintenance',
      details: { code: 'ECONNREFUSED' },
    });
    const text = JSON.stringify(error);
    assert.deepEqual(JSON.parse(text), json);
    for (const leak of ['stack', 'cause', '/secret/path', 'errors.test']) assert.ok(!text.includes(leak), `${leak} in ${text}`);
    const firstFrame = error.stack
      ?.split('\n')
      .find((line) => line.trim().startsWith('at '))
      ?.trim();
    assert.ok(firstFrame, 'the error has a stack to leak');
    assert.ok(!text.includes(firstFrame), 'no stack frames');
  });

  it('omits absent optional fields from JSON', () => {
    assert.deepEqual(new BtpError(ErrorCode.Forbidden, 'no').toJSON(), { code: 'BTP_FORBIDDEN', message: 'no' });
    const error = new BtpError(ErrorCode.Forbidden, 'no');
    assert.equal(error.cause, undefined);
    assert.deepEqual(error.issues, []);
    assert.equal(error.field, undefined);
  });

  it('keeps status 0 and an empty service message', () => {
    assert.deepEqual(new BtpError(ErrorCode.ServiceError, 'x', { status: 0, serviceMessage: '' }).toJSON(), {
      code: 'BTP_SERVICE_ERROR',
      message: 'x',
      status: 0,
      serviceMessage: '',
    });
  });

  it('takes field from the first issue unless given', () => {
    const issues: ValidationIssue[] = [
      { field: 'URL', problem: 'required', message: 'URL is required.' },
      { field: 'Name', problem: 'forbidden_char', message: 'Name contains "/".' },
    ];
    assert.equal(new BtpError(ErrorCode.InvalidInput, 'x', { issues }).field, 'URL');
    assert.equal(new BtpError(ErrorCode.InvalidInput, 'x', { issues, field: 'Name' }).field, 'Name');
  });
});

describe('validationError', () => {
  const issues: ValidationIssue[] = [
    { field: 'URL', problem: 'required', message: 'URL is required: set it to the https:// address of the system.' },
    { field: 'ProxyType', problem: 'invalid_value', message: 'ProxyType must be Internet or OnPremise, not "Cloud".' },
    { field: 'URL', problem: 'insecure', message: 'URL uses http:// on an Internet destination.', severity: 'warning' },
  ];

  it('is InvalidInput with every issue, one per line, in order', () => {
    const error = validationError('Destination "erp"', issues);
    assert.equal(error.code, ErrorCode.InvalidInput);
    assert.equal(error.message, ['Destination "erp" is not valid:', ...issues.map((issue) => `  - ${issue.message}`)].join('\n'));
    assert.deepEqual(error.issues, issues);
    assert.equal(error.field, 'URL');
    assert.deepEqual(error.toJSON().issues, issues);
  });

  it('lists a single issue too', () => {
    const error = validationError('The service key', [{ field: 'clientid', problem: 'required', message: 'clientid is missing.' }]);
    assert.equal(error.message, 'The service key is not valid:\n  - clientid is missing.');
    assert.equal(error.field, 'clientid');
  });
});
