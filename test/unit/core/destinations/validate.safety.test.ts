import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import type { DestinationProperties } from '../../../../src/core/destinations/model';
import { assertValidDestination, validateDestination } from '../../../../src/core/destinations/validate';
import { CANARY, VALID_BY_AUTHENTICATION as AUTH, VALID_BY_TYPE as TYPE, errorsOf, show } from '../../../support/destinationFixtures';

/** Nothing of `issues` (field or message) contains the canary. */
function assertNoCanary(issues: ReturnType<typeof validateDestination>): void {
  for (const issue of issues) {
    assert.ok(!issue.message.includes(CANARY) && !issue.field.includes(CANARY), `leaked: ${issue.field}: ${issue.message}`);
  }
}

describe('CR, LF and NUL in property names and values', () => {
  const chars: [string, string][] = [
    ['CR', '\r'],
    ['LF', '\n'],
    ['NUL', '\0'],
    ['CRLF', '\r\n'],
  ];
  const properties = ['Name', 'Type', 'URL', 'Authentication', 'Password', 'URL.headers.X-Api', 'MyApp.Unknown', 'CloudConnectorLocationId'];

  for (const [label, char] of chars) {
    for (const name of properties) {
      it(`${label} in the value of ${name} → forbidden_char on ${name}, value not echoed`, () => {
        const issues = validateDestination({ ...TYPE.HTTP, [name]: `ok${char}${CANARY}` });
        const hits = issues.filter((i) => i.field === name && i.problem === 'forbidden_char');
        assert.equal(hits.length, 1, show(issues));
        assert.equal(hits[0]?.severity, 'error');
        assert.match(hits[0]?.message ?? '', /line break|NUL/);
        assert.ok(!issues.some((i) => i.field === name && i.problem !== 'forbidden_char'), `only one issue for ${name}:\n${show(issues)}`);
        assertNoCanary(issues);
      });
    }

    it(`${label} in a property name → forbidden_char on the escaped name`, () => {
      const issues = validateDestination({ ...TYPE.HTTP, [`X-Bad${char}Name`]: 'v' });
      const hit = issues.find((i) => i.problem === 'forbidden_char');
      assert.ok(hit, show(issues));
      assert.doesNotMatch(hit.field, /[\r\n\0]/);
      assert.doesNotMatch(hit.message, /[\r\n\0]/);
      assert.ok(hit.field.startsWith('X-Bad\\'), hit.field);
    });
  }

  it('a name and a value both broken give two issues', () => {
    const issues = validateDestination({ ...TYPE.HTTP, 'a\nb': `x\r${CANARY}` });
    assert.deepEqual(
      issues.map((i) => i.problem),
      ['forbidden_char', 'forbidden_char'],
    );
    assertNoCanary(issues);
  });
});

describe('no message echoes a value', () => {
  const wrongEverywhere: Record<string, unknown> = {
    Name: `${CANARY} name`,
    Type: CANARY,
    URL: CANARY,
    Authentication: CANARY,
    ProxyType: CANARY,
    TrustAll: CANARY,
    'sap-client': CANARY,
    CloudConnectorLocationId: `${CANARY}\u00e9`,
    tokenServiceURLType: CANARY,
    'HTML5.Timeout': CANARY,
    'jco.destination.auth_type': CANARY,
    Password: 1234567,
    clientSecret: 7654321,
  };

  it('for a destination wrong in every field', () => {
    const issues = validateDestination(wrongEverywhere);
    assert.ok(issues.length >= 10, show(issues));
    assertNoCanary(issues);
    assert.ok(!issues.some((i) => i.message.includes('1234567') || i.message.includes('7654321')), 'secret numbers not echoed');
  });

  for (const type of ['HTTP', 'RFC', 'MAIL', 'LDAP', 'TCP']) {
    it(`for a ${type} destination whose every known property holds the canary`, () => {
      const dest: DestinationProperties = Object.fromEntries(Object.keys(TYPE[type as keyof typeof TYPE]).map((k) => [k, CANARY]));
      dest.Type = type;
      const issues = validateDestination(dest);
      assert.ok(issues.length > 0);
      assertNoCanary(issues);
    });
  }
});

describe('unknown properties', () => {
  const extra = { 'MyApp.Setting': 'x', 'x-custom': 'y', Abc: 'good', 'HTML5.Unknown': 'z', __proto__x: 'w' };

  for (const [type, dest] of Object.entries(TYPE)) {
    it(`${type}: are accepted silently and kept by assertValidDestination`, () => {
      const input = { ...dest, ...extra };
      assert.deepEqual(validateDestination(input), []);
      assert.deepEqual(assertValidDestination(input), input);
    });
  }

  it('a JSON "__proto__" key stays an own property and changes no prototype', () => {
    const input = JSON.parse(JSON.stringify(TYPE.HTTP).replace('{', '{"__proto__":"x",')) as unknown;
    assert.deepEqual(validateDestination(input), []);
    const result = assertValidDestination(input);
    assert.equal(Object.hasOwn(result, '__proto__'), true);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
  });

  it('inherited properties do not count', () => {
    const input = Object.create(TYPE.HTTP) as unknown;
    assert.deepEqual(
      errorsOf(validateDestination(input)).map((i) => i.field),
      ['Name', 'Type'],
    );
  });
});

describe('assertValidDestination', () => {
  it('returns a copy of a valid destination, warnings allowed', () => {
    const input = { ...AUTH.NoAuthentication, proxytype: 'x' };
    const result = assertValidDestination(input);
    assert.deepEqual(result, input);
    assert.notEqual(result, input);
  });

  it('throws BTP_INVALID_INPUT naming the destination, with the errors only', () => {
    const input = { ...TYPE.HTTP, URL: 'ftp://x', TrustAll: 'yes', proxytype: 'OnPremise' };
    assert.throws(
      () => assertValidDestination(input),
      (error: unknown) => {
        assert.ok(isBtpError(error, ErrorCode.InvalidInput));
        assert.ok(error.message.startsWith('Destination "backend" is not valid:'), error.message);
        assert.deepEqual(
          error.issues.map((i) => [i.field, i.problem]),
          [
            ['TrustAll', 'not_boolean'],
            ['URL', 'invalid_url'],
          ],
        );
        assert.equal(error.field, 'TrustAll');
        return true;
      },
    );
  });

  it('does not print an invalid name in the subject', () => {
    assert.throws(
      () => assertValidDestination({ ...TYPE.HTTP, Name: `bad name ${CANARY}` }),
      (error: unknown) => {
        assert.ok(isBtpError(error));
        assert.ok(error.message.startsWith('Destination is not valid:'), error.message);
        assert.ok(!error.message.includes(CANARY));
        return true;
      },
    );
  });

  it('rejects a non-object', () => {
    assert.throws(
      () => assertValidDestination('{"Name":"x"}'),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput),
    );
  });
});
