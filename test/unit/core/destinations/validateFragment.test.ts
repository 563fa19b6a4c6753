import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertValidFragment, validateFragment } from '../../../../src/core/destinations/validateFragment';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';

// A fragment is checked like a destination's properties, but only FragmentName is required: it overrides, it does
// not stand alone.

const problems = (input: unknown) => validateFragment(input).map((issue) => `${issue.field}:${issue.problem}:${issue.severity ?? 'error'}`);

describe('validateFragment', () => {
  it('accepts a fragment with nothing but its name, and one that overrides URL and authentication', () => {
    assert.deepEqual(problems({ FragmentName: 'f' }), []);
    assert.deepEqual(
      problems({
        FragmentName: 'oauth-override',
        URL: 'https://api.example.com/x',
        Authentication: 'OAuth2ClientCredentials',
        clientId: 'c',
        'URL.headers.X-A': '1',
      }),
      [],
    );
  });

  const rows: ReadonlyArray<[string, unknown, string]> = [
    ['no FragmentName', { URL: 'https://x.example' }, 'FragmentName:required:error'],
    ['an empty FragmentName', { FragmentName: '' }, 'FragmentName:required:error'],
    ['a FragmentName with a dot', { FragmentName: 'a.b' }, 'FragmentName:invalid_name:error'],
    ['a FragmentName of 201 characters', { FragmentName: 'f'.repeat(201) }, 'FragmentName:invalid_name:error'],
    ['a Name', { FragmentName: 'f', Name: 'other' }, 'Name:misplaced_property:error'],
    ['a URL that is none', { FragmentName: 'f', URL: 'not a url' }, 'URL:invalid_url:error'],
    ['an unknown Authentication', { FragmentName: 'f', Authentication: 'Magic' }, 'Authentication:unknown_value:error'],
    ['TrustAll that is no boolean', { FragmentName: 'f', TrustAll: 'yes' }, 'TrustAll:not_boolean:error'],
    ['a bad header name', { FragmentName: 'f', 'URL.headers.a b': 'x' }, 'URL.headers.a b:invalid_header_name:error'],
    ['a number value', { FragmentName: 'f', 'HTML5.Timeout': 5 }, 'HTML5.Timeout:not_string:error'],
    ['an array', [{ FragmentName: 'f' }], '(destination):not_object:error'],
  ];
  for (const [title, input, expected] of rows) it(`reports ${title}`, () => assert.ok(problems(input).includes(expected), problems(input).join(', ')));

  it('does not ask for Type, URL or the credentials an authentication needs', () => {
    const found = problems({ FragmentName: 'f', Authentication: 'BasicAuthentication' });
    assert.deepEqual(found, []);
  });

  it('assertValidFragment throws BTP_INVALID_INPUT naming the fragment and the field', () => {
    assert.throws(
      () => assertValidFragment({ FragmentName: 'f', URL: 'ftp://x' }),
      (error) => isBtpError(error) && error.code === ErrorCode.InvalidInput && /Fragment "f"/.test(error.message) && error.issues?.[0]?.field === 'URL',
    );
    assert.deepEqual(assertValidFragment({ FragmentName: 'f', URL: 'https://x.example' }), { FragmentName: 'f', URL: 'https://x.example' });
  });
});
