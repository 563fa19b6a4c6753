import assert from 'node:assert/strict';
import { ErrorCode, isBtpError, type BtpError } from '../../../../src/core/errors';
import type { ExpectedIssue } from '../../../support/bindingFixtures';

/** Asserts a BtpError with `code` whose issues include one for `field` (with `problem`) mentioning `fragment`. */
export function assertIssue(error: unknown, expected: ExpectedIssue): BtpError {
  assert.ok(isBtpError(error), `expected a BtpError, got ${String(error)}`);
  assert.equal(error.code, expected.code ?? ErrorCode.BindingInvalid, error.message);
  const issue = error.issues.find((candidate) => candidate.field === expected.field);
  assert.ok(issue, `no issue for field ${expected.field}; issues: ${JSON.stringify(error.issues.map((i) => i.field))}\n${error.message}`);
  if (expected.problem !== undefined) assert.equal(issue.problem, expected.problem, issue.message);
  matches(issue.message, expected.fragment);
  // The error's own message lists every issue.
  assert.ok(error.message.includes(issue.message), 'error message lists the issue');
  return error;
}

export function matches(text: string, fragment: string | RegExp): void {
  if (typeof fragment === 'string') assert.ok(text.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${text}`);
  else assert.match(text, fragment);
}

/** Every text an error exposes: message, toJSON (issues, details) and the cause chain's messages. */
export function exposedText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message, JSON.stringify(isBtpError(error) ? error.toJSON() : {}), error.stack ?? ''];
  if (error.cause !== undefined) parts.push(exposedText(error.cause));
  return parts.join('\n');
}
