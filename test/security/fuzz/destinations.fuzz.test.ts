import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { DestinationProblem } from '../../../src/core/destinations/checks';
import { PROPERTY_FAMILIES } from '../../../src/core/destinations/httpProperties';
import { caseInsensitiveMatch, isKnownProperty, PROPERTIES } from '../../../src/core/destinations/properties';
import { assertValidDestination, validateDestination } from '../../../src/core/destinations/validate';
import { ErrorCode, isBtpError, type ValidationIssue } from '../../../src/core/errors';
import { VALID_BY_AUTHENTICATION, VALID_BY_TYPE } from '../../support/destinationFixtures';
import { CaseCounter, FUZZ_RUNS, fuzzParameters, ProcessFailures } from './fuzzSupport';

// The destination validator (src/core/destinations/validate.ts) fed with untrusted destination JSON: known
// properties with fuzzed values (wrong types, CR/LF/NUL, enum values in the wrong case, URLs with bad %,
// credentials and spaces, out-of-range numbers), fuzzed property names, and arbitrary JSON. It must never
// throw, must report only stable problem codes, must never echo a value, and assertValidDestination must throw
// a BtpError (BTP_INVALID_INPUT) exactly when an error-severity issue exists.

const failures = new ProcessFailures();
after(() => failures.dispose());

const problems = new Set<string>(Object.values(DestinationProblem));
const knownNames = [...PROPERTIES.keys()];
const enumValues = [...PROPERTIES.values()].flatMap((spec) => spec.values ?? []);
const canaryTag = fc.stringMatching(/^[A-Za-z0-9]{8}$/).map((suffix) => `CANARY${suffix}`);

/** A string value that carries a canary, shaped like what the property might hold. */
const canaryValue = fc
  .tuple(canaryTag, fc.constantFrom('plain', 'url', 'userinfo', 'query', 'spaces', 'percent', 'crlf', 'nul', 'unicode'))
  .map(([tag, shape]) => {
    switch (shape) {
      case 'url':
        return `https://${tag}.example.com/p`;
      case 'userinfo':
        return `https://${tag}:pw@host.example.com`;
      case 'query':
        return `http://host.example.com/?k=${tag}`;
      case 'spaces':
        return ` ${tag} `;
      case 'percent':
        return `https://host.example.com/%zz${tag}%`;
      case 'crlf':
        return `${tag}\r\nX-Injected: 1`;
      case 'nul':
        return `${tag}\0`;
      case 'unicode':
        return `${tag}\u00e9\ud800`;
      default:
        return tag;
    }
  });
const value = fc.oneof(
  { weight: 4, arbitrary: canaryValue },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...enumValues,
      'true',
      'false',
      'TRUE',
      'True',
      '0',
      '1',
      '100',
      '65536',
      '-1',
      '007',
      '1e3',
      '',
      ' ',
      'OnPremise',
      'Internet',
      'HTTP',
      'RFC',
      'MAIL',
      'LDAP',
      'TCP',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })) },
);
const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...knownNames) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...PROPERTY_FAMILIES.map((family) => family.prefix)),
        fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{0,10}$/), fc.string({ maxLength: 6 })),
      )
      .map(([prefix, member]) => prefix + member),
  },
  { weight: 1, arbitrary: fc.constantFrom(...knownNames).map((known) => known.toUpperCase()) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a\nb', 'x\0', 'URL\r')),
  },
);
/** Like JSON.parse builds it: `__proto__` is an own property, not the prototype. */
function destinationOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  return out;
}
const fixtures = [...Object.values(VALID_BY_AUTHENTICATION), ...Object.values(VALID_BY_TYPE)];
const destination = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...fixtures), fc.array(fc.tuple(name, value), { maxLength: 4 }))
      .map(([base, changes]) => destinationOf([...Object.entries(base), ...changes])),
  },
  { weight: 3, arbitrary: fc.array(fc.tuple(name, value), { maxLength: 12 }).map(destinationOf) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.jsonValue(),
      fc.constant(Object.create(null) as unknown),
      fc.string().map((text) => JSON.parse(JSON.stringify({ __proto__: text, Name: text })) as unknown),
    ),
  },
);

/** Every canary that occurs in a string value of `input`. */
function canariesOf(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return typeof input === 'string' ? (input.match(/CANARY[A-Za-z0-9]{8}/g) ?? []) : [];
  return Object.values(input as Record<string, unknown>).flatMap(canariesOf);
}

function checkIssues(issues: readonly ValidationIssue[], input: unknown): void {
  const canaries = canariesOf(input);
  for (const issue of issues) {
    assert.ok(problems.has(issue.problem), `unknown problem code ${issue.problem}`);
    assert.ok(issue.severity === 'error' || issue.severity === 'warning');
    assert.equal(typeof issue.field, 'string');
    assert.ok(issue.message.length > 10);
    assert.doesNotMatch(issue.field, /[\r\n\0]/, 'a field name safe to print');
    assert.doesNotMatch(issue.message, /[\r\n\0]/, 'a message safe to print');
    for (const canary of canaries)
      assert.ok(!issue.message.includes(canary) && !issue.field.includes(canary), `value echoed: ${issue.field}: ${issue.message}`);
  }
}

describe('destination validator, fuzzed', () => {
  it(`validateDestination never throws, never echoes a value, and assertValidDestination agrees with it (${FUZZ_RUNS} cases)`, (t) => {
    const counter = new CaseCounter();
    const started = performance.now();
    fc.assert(
      fc.property(destination, (input) => {
        const issues = validateDestination(input);
        checkIssues(issues, input);
        const errors = issues.filter((issue) => issue.severity !== 'warning');
        counter.hit(errors.length === 0 ? 'valid' : `invalid:${errors[0]?.problem}`);
        let accepted: Record<string, string> | undefined;
        try {
          accepted = assertValidDestination(input);
        } catch (error) {
          assert.ok(isBtpError(error, ErrorCode.InvalidInput), `untyped: ${String(error)}`);
          assert.deepEqual(error.issues, errors, 'the error carries exactly the error-severity issues');
          // The subject names the destination by its Name (a valid one only, never a secret); nothing else is echoed.
          const name = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).Name : undefined;
          const shownName = typeof name === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(name) ? name : undefined;
          for (const canary of canariesOf(input)) if (canary !== shownName) assert.ok(!error.message.includes(canary), 'value echoed in the error message');
          return;
        }
        assert.equal(errors.length, 0, 'accepted although it has errors');
        assert.deepEqual(Object.keys(accepted), Object.keys(input as object), 'unknown properties are kept, none dropped');
        for (const item of Object.values(accepted)) assert.equal(typeof item, 'string');
      }),
      fuzzParameters(t),
    );
    t.diagnostic(`validateDestination: ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms (${counter.summary()})`);
    failures.assertNone();
  });

  it(`an unknown property with a single-line value never makes a valid destination invalid (${FUZZ_RUNS} cases)`, (t) => {
    const started = performance.now();
    const unknownName = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((candidate) => !/[\r\n\0]/.test(candidate) && !isKnownProperty(candidate) && caseInsensitiveMatch(candidate) === undefined);
    const singleLine = fc.string({ maxLength: 60, unit: 'binary' }).filter((text) => !/[\r\n\0]/.test(text));
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), unknownName, singleLine, (base, extraName, extraValue) => {
        const input = destinationOf([...Object.entries(base), [extraName, extraValue]]);
        const issues = validateDestination(input);
        assert.deepEqual(
          issues.filter((issue) => issue.severity !== 'warning'),
          [],
          `${JSON.stringify(extraName)} made ${base.Name} invalid`,
        );
        assert.deepEqual(assertValidDestination(input), input);
      }),
      fuzzParameters(t),
    );
    t.diagnostic(`validateDestination (unknown properties): ${FUZZ_RUNS} cases in ${Math.round(performance.now() - started)} ms`);
    failures.assertNone();
  });
});
