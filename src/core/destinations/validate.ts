/**
 * Validation of untrusted destination JSON. `validateDestination` lists every problem (errors block saving,
 * warnings do not); unknown property names are accepted silently and never dropped. No message contains a
 * property's string value (only a boolean, or a number of a known non-secret property, is shown in its string
 * form). Browser-safe: ECMAScript globals and ../errors only.
 */
import { validationError, type ValidationIssue } from '../errors';
import { DestinationProblem, DestinationView, FORBIDDEN_CHARS, HEADER_NAME, IssueList, locationIdProblem, printableName, urlProblem } from './checks';
import { DESTINATION_TYPE_SPECS, type DestinationTypeSpec } from './destinationTypes';
import {
  DESTINATION_NAME_PATTERN,
  isAuthenticationType,
  isDestinationType,
  isProxyType,
  isSecretProperty,
  type DestinationProperties,
  type ProxyType,
} from './model';
import { caseInsensitiveMatch, propertyFamily, propertySpec, type PropertyFamilySpec, type PropertySpec } from './properties';
import { requireAll, requireOneOf } from './requirements';
import { validateHttp } from './validateHttp';
import { validateLdap, validateMail, validateRfc, validateTcp } from './validateProtocols';

/** URL-kind properties checked by their type's rules rather than as generic http(s) URLs. */
const TYPE_OWNED_URLS = new Set(['URL', 'ldap.url']);
const LOCATION_ID_PROPERTIES = new Set(['CloudConnectorLocationId', 'jco.client.cloud_connector_location_id']);
export const ROOT_FIELD = '(destination)';

export function isJsonObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && Object.prototype.toString.call(input) === '[object Object]';
}

function notStringMessage(name: string, shown: string, value: unknown): string {
  if (value === null) return `${shown} is null; remove it or give it a string value.`;
  if (typeof value === 'number' || typeof value === 'boolean') {
    // Echo only what cannot leak: a boolean, or a number of a known non-secret property (HTML5.Timeout).
    const echo = typeof value === 'boolean' || (propertySpec(name) !== undefined && !isSecretProperty(name));
    const example = echo ? `as "${String(value)}"` : 'in quotes, as a string';
    return `${shown} is a ${typeof value}, but destination values are strings; write it ${example}.`;
  }
  const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return `${shown} is ${kind}, but destination values are strings; write it as a single string or remove it.`;
}

/** The exact spelling of `value` among `values` when it differs only in case. */
const caseFix = (value: string, values: readonly string[]) => values.find((v) => v.toLowerCase() === value.toLowerCase());

function unknownValueMessage(name: string, value: string, values: readonly string[], note = ''): string {
  const fix = caseFix(value, values);
  return fix === undefined
    ? `${name} has a value that is not one of ${values.join(', ')}${note}; set one of them.`
    : `${name} must be written exactly "${fix}" (values are case-sensitive); fix the spelling.`;
}

function checkValue(out: IssueList, spec: PropertySpec, value: string): void {
  const { name } = spec;
  if (spec.deprecated !== undefined) out.warn(name, DestinationProblem.Deprecated, `${name} is set: ${spec.deprecated}.`);
  if (spec.kind === 'boolean' && value !== 'true' && value !== 'false') {
    const lower = value.toLowerCase() === 'true' || value.toLowerCase() === 'false';
    out.error(name, DestinationProblem.NotBoolean, `${name} must be "true" or "false"${lower ? ' in lower case' : ''}; set one of them.`);
  } else if (spec.kind === 'enum' && spec.values !== undefined && !spec.values.includes(value)) {
    const message = unknownValueMessage(name, value, spec.values);
    if (spec.lenientValues === true) out.warn(name, DestinationProblem.UnknownValue, message);
    else out.error(name, DestinationProblem.UnknownValue, message);
  } else if (spec.kind === 'integer') {
    if (!/^\d+$/.test(value)) {
      out.error(name, DestinationProblem.NotInteger, `${name} must be a whole number written with digits only; fix the value.`);
    } else if ((spec.min !== undefined && Number(value) < spec.min) || (spec.max !== undefined && Number(value) > spec.max)) {
      const range = `${spec.min ?? 0} to ${spec.max ?? 'any'}`;
      const message = `${name} is outside ${range}; set a value in that range${spec.strictRange === true ? '' : ' (otherwise a default is used)'}.`;
      if (spec.strictRange === true) out.error(name, DestinationProblem.OutOfRange, message);
      else out.warn(name, DestinationProblem.OutOfRange, message);
    }
  } else if (spec.kind === 'url' && !TYPE_OWNED_URLS.has(name)) {
    const bad = urlProblem(value, ['http', 'https']);
    if (bad !== undefined) {
      const fix =
        bad.problem === DestinationProblem.UrlCredentials ? 'remove the credentials from the URL' : 'set an absolute https:// (or http://) URL with a host';
      out.error(name, bad.problem, `${name} ${bad.why}; ${fix}.`);
    }
  }
  if (spec.pattern !== undefined && !spec.pattern.regex.test(value)) {
    out.error(name, DestinationProblem.InvalidFormat, `${name} must be ${spec.pattern.hint}; fix the value.`);
  }
  const locationWhy = LOCATION_ID_PROPERTIES.has(name) ? locationIdProblem(value) : undefined;
  if (locationWhy !== undefined)
    out.error(name, DestinationProblem.InvalidLocationId, `${name} ${locationWhy}; use the location ID configured in the Cloud Connector.`);
}

function checkFamilyMember(out: IssueList, name: string, family: PropertyFamilySpec): void {
  const member = name.slice(family.prefix.length);
  const shown = printableName(name);
  if (member === '') {
    out.error(
      shown,
      DestinationProblem.InvalidFormat,
      `${shown} has nothing after ${family.prefix}; append the ${family.label.toLowerCase()} name, e.g. ${family.prefix}name.`,
    );
    return;
  }
  if (family.member !== 'header' || HEADER_NAME.test(member)) return;
  out.error(
    shown,
    DestinationProblem.InvalidHeaderName,
    `${shown}: the part after ${family.prefix} must be an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~; no spaces or colons); rename the property.`,
  );
}

function checkName(view: DestinationView, out: IssueList): void {
  const name = view.get('Name');
  if (!view.has('Name')) {
    const state = view.present('Name') ? 'is empty' : 'is missing';
    out.error('Name', DestinationProblem.Required, `Name ${state} but is required; set a name of letters, digits, "_" and "-" (at most 200 characters).`);
  } else if (name !== undefined && !DESTINATION_NAME_PATTERN.test(name)) {
    const why = name.length > 200 ? 'is longer than 200 characters' : 'may contain only letters, digits, "_" and "-"';
    out.error('Name', DestinationProblem.InvalidName, `Name ${why}; rename the destination (e.g. "my-backend_1").`);
  }
}

function checkType(view: DestinationView, out: IssueList, ts: DestinationTypeSpec): void {
  const aType = `${ts.type === 'MAIL' || ts.type === 'TCP' ? 'a' : 'an'} ${ts.type} destination`;
  requireAll(view, out, ts.required, `for ${aType}`);
  for (const group of ts.requiredOneOf) requireOneOf(view, out, group, aType);

  const rawProxy = view.get(ts.proxyTypeProperty);
  let proxyType: ProxyType | undefined = ts.defaultProxyType;
  if (rawProxy !== undefined) {
    if (isProxyType(rawProxy) && ts.proxyTypes.includes(rawProxy)) proxyType = rawProxy;
    else {
      proxyType = undefined;
      out.error(
        ts.proxyTypeProperty,
        DestinationProblem.UnknownValue,
        unknownValueMessage(ts.proxyTypeProperty, rawProxy, ts.proxyTypes, ` (the proxy types of ${ts.type} destinations)`),
      );
    }
  }
  if (view.get(ts.locationIdProperty) !== undefined && proxyType !== undefined && proxyType !== 'OnPremise') {
    const current = rawProxy === undefined ? `not set (${proxyType})` : proxyType;
    out.warn(
      ts.locationIdProperty,
      DestinationProblem.LocationIdIgnored,
      `${ts.locationIdProperty} only applies to OnPremise destinations, but ${ts.proxyTypeProperty} is ${current}; remove it or set ${ts.proxyTypeProperty} to OnPremise.`,
    );
  }

  const authentication = ts.authenticationProperty === 'Authentication' ? view.get('Authentication') : undefined;
  if (isAuthenticationType(authentication) && !ts.authentications.includes(authentication)) {
    out.warn(
      'Authentication',
      DestinationProblem.Unsupported,
      `Authentication ${authentication} is not documented for ${ts.type} destinations; use ${ts.authentications.join(' or ')}.`,
    );
  }
  for (const [wrong, right] of Object.entries(ts.misplaced)) {
    if (view.present(wrong)) {
      out.warn(
        wrong,
        DestinationProblem.Misplaced,
        `${wrong} is not read for ${ts.type} destinations, which use ${right} instead; rename ${wrong} to ${right}.`,
      );
    }
  }

  if (ts.type === 'HTTP') validateHttp(view, out, proxyType);
  else if (ts.type === 'RFC') validateRfc(view, out, proxyType);
  else if (ts.type === 'MAIL') validateMail(view, out);
  else if (ts.type === 'LDAP') validateLdap(view, out);
  else validateTcp(view, out);
}

/** Every problem of `input` as a destination; an empty list means valid. Accepts any JSON value. */
export function validateDestination(input: unknown): ValidationIssue[] {
  const out = new IssueList();
  if (!isJsonObject(input)) {
    out.error(
      ROOT_FIELD,
      DestinationProblem.NotObject,
      'The destination must be a JSON object mapping property names to string values, e.g. {"Name": "backend", "Type": "HTTP", …}; pass such an object.',
    );
    return out.issues;
  }
  const view = checkProperties(input, out);
  checkName(view, out);
  if (!view.has('Type')) {
    const state = view.present('Type') ? 'is empty' : 'is missing';
    out.error('Type', DestinationProblem.Required, `Type ${state} but is required; set it to one of HTTP, RFC, MAIL, LDAP, TCP.`);
  }
  const type = view.get('Type');
  const typeSpec = isDestinationType(type) ? DESTINATION_TYPE_SPECS[type] : undefined;
  if (typeSpec !== undefined) checkType(view, out, typeSpec);
  return out.issues;
}

/** The checks of every single property (name, value type, known values, families, spelling), for both kinds. */
export function checkProperties(input: Record<string, unknown>, out: IssueList): DestinationView {
  const unusable = new Set<string>();
  for (const name of Object.keys(input)) {
    const value = input[name];
    const shown = printableName(name);
    if (name === '') out.error('', DestinationProblem.EmptyName, 'A property has an empty name; remove it or give it a name.');
    if (FORBIDDEN_CHARS.test(name)) {
      out.error(
        shown,
        DestinationProblem.ForbiddenChar,
        `Property name "${shown}" contains a line break (CR or LF) or NUL character; rename the property without them.`,
      );
    }
    if (typeof value !== 'string') {
      unusable.add(name);
      out.error(shown, DestinationProblem.NotString, notStringMessage(name, shown, value));
    } else if (FORBIDDEN_CHARS.test(value)) {
      unusable.add(name);
      out.error(
        shown,
        DestinationProblem.ForbiddenChar,
        `${shown} has a line break (CR or LF) or NUL character in its value; remove it, destination values must be a single line.`,
      );
    }
  }

  const view = new DestinationView(input, unusable);
  const type = view.get('Type');
  const typeSpec = isDestinationType(type) ? DESTINATION_TYPE_SPECS[type] : undefined;

  for (const name of Object.keys(input)) {
    if (name === '' || FORBIDDEN_CHARS.test(name)) continue; // reported above
    const spec = propertySpec(name);
    if (spec !== undefined) {
      const value = view.get(name); // undefined: unusable (reported above) or empty (treated as unset)
      if (value !== undefined && name !== typeSpec?.proxyTypeProperty) checkValue(out, spec, value);
      continue;
    }
    const family = propertyFamily(name);
    if (family !== undefined) {
      checkFamilyMember(out, name, family);
      continue;
    }
    const suggestion = caseInsensitiveMatch(name);
    if (suggestion !== undefined) {
      const shown = printableName(name);
      out.warn(
        shown,
        DestinationProblem.DidYouMean,
        `${shown} is not a known property; did you mean ${suggestion}? Names are case-sensitive: rename it to ${suggestion} unless it is meant for your own application.`,
      );
    }
  }

  return view;
}

/** `input` as wire-form properties when it has no error-severity issue; otherwise throws `BTP_INVALID_INPUT`. */
export function assertValidDestination(input: unknown): DestinationProperties {
  const errors = validateDestination(input).filter((issue) => issue.severity !== 'warning');
  const name = isJsonObject(input) && Object.hasOwn(input, 'Name') ? input.Name : undefined;
  const subject = typeof name === 'string' && DESTINATION_NAME_PATTERN.test(name) ? `Destination "${name}"` : 'Destination';
  if (errors.length > 0) throw validationError(subject, errors);
  return { ...(input as DestinationProperties) };
}
