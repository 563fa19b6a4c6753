/**
 * What the destination form shows for a draft: sections of fields chosen by Type and Authentication (spec §4),
 * each field with its label, input kind, whether it is required, and the validator's problems for it. Pure data
 * (no DOM): the view renders it and unit tests read it. "Required" is asked of the validator itself, so the
 * form and the save check can never disagree.
 */
import type { ValidationIssue } from '../../../src/protocol/destinationRules';
import {
  AUTHENTICATIONS,
  DESTINATION_TYPE_SPECS,
  RFC_CONNECTION_MODES,
  isAuthenticationType,
  isDestinationType,
  isSecretProperty,
  propertySpec,
  requiredFor,
  validateDestination,
  validateFragment,
  type DestinationTypeSpec,
} from '../../../src/protocol/destinationRules';
import type { SecretState } from '../../../src/protocol/editorProtocol';

export type InputKind = 'text' | 'url' | 'boolean' | 'enum' | 'integer' | 'secret' | 'certificate';

export interface FieldModel {
  readonly name: string;
  readonly label: string;
  readonly description?: string;
  readonly input: InputKind;
  /** Allowed values of an `enum` field. */
  readonly values?: readonly string[];
  readonly required: boolean;
  /** The non-secret value; undefined when unset. */
  readonly value?: string;
  /** Secret fields only: where the value is (`empty`: none). */
  readonly secret?: SecretState | 'empty';
  readonly deprecated?: string;
  readonly issues: readonly ValidationIssue[];
}

export interface SectionModel {
  readonly id: 'general' | 'target' | 'authentication' | 'authenticationOptions' | 'options';
  readonly title: string;
  /** Rendered collapsed unless one of its fields is set or has a problem. */
  readonly optional: boolean;
  readonly fields: readonly FieldModel[];
}

/** A property no section shows: user-named families (`URL.headers.x`) and names the model does not know. */
export interface AdditionalRow {
  readonly name: string;
  readonly value?: string;
  readonly secret?: SecretState;
  readonly issues: readonly ValidationIssue[];
}

export interface FormModel {
  readonly sections: readonly SectionModel[];
  readonly additional: readonly AdditionalRow[];
  /** Problems not tied to a shown field (e.g. about the whole object). */
  readonly general: readonly ValidationIssue[];
  readonly errors: number;
  readonly warnings: number;
}

export interface Draft {
  readonly properties: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretState>>;
  /** A destination fragment: FragmentName instead of Name, nothing else required, HTTP fields when it sets no Type. */
  readonly fragment?: boolean;
}

/** Stands in for a secret value the webview never sees, so that "required" and "present" checks work. */
const SECRET_PLACEHOLDER = '********';
const CERTIFICATE_FIELDS = new Set(['KeyStoreLocation', 'TrustStoreLocation', 'tokenService.KeyStoreLocation']);

/** The draft as the validator sees it: non-secret values, and a placeholder for each secret that has a value. */
export function validationInput(draft: Draft): Record<string, string> {
  const input: Record<string, string> = { ...draft.properties };
  for (const [name, state] of Object.entries(draft.secrets)) if (state !== 'removed') input[name] = SECRET_PLACEHOLDER;
  return input;
}

type Validator = (input: unknown) => ValidationIssue[];

/** Whether the validator calls `name` required for `input` (it reports it missing once removed). */
function isRequired(validate: Validator, input: Readonly<Record<string, string>>, name: string): boolean {
  const without: Record<string, string> = { ...input };
  delete without[name];
  return validate(without).some((issue) => issue.field === name && issue.problem === 'required');
}

function targetFields(spec: DestinationTypeSpec, input: Readonly<Record<string, string>>): string[] {
  const location = input[spec.proxyTypeProperty] === 'OnPremise' || input[spec.locationIdProperty] !== undefined ? [spec.locationIdProperty] : [];
  switch (spec.type) {
    case 'HTTP':
      return ['URL', 'ProxyType', ...location, 'sap-client'];
    case 'TCP':
      return ['Address', 'ProxyType', ...location];
    case 'LDAP':
      return ['ldap.url', 'ldap.proxyType', ...location];
    case 'MAIL':
      return [
        'ProxyType',
        ...location,
        'mail.transport.protocol',
        'mail.smtp.host',
        'mail.smtp.port',
        'mail.imap4.host',
        'mail.imap4.port',
        'mail.pop3.host',
        'mail.pop3.port',
      ];
    case 'RFC': {
      const mode = RFC_CONNECTION_MODES.find((m) => input[m.selector] !== undefined) ?? RFC_CONNECTION_MODES[0];
      const selectors = RFC_CONNECTION_MODES.map((m) => m.selector);
      const modeFields = mode ? [...mode.required, ...mode.requiredOneOf.flat(), ...mode.optional] : [];
      return [spec.proxyTypeProperty, ...location, ...new Set([...selectors, ...modeFields]), 'jco.client.client'];
    }
  }
}

function authenticationFields(spec: DestinationTypeSpec, input: Readonly<Record<string, string>>): { main: string[]; more: string[] } {
  if (spec.type === 'RFC') {
    return {
      main: ['jco.destination.auth_type', 'jco.client.user', 'jco.client.passwd'],
      more: [
        'jco.client.alias_user',
        'jco.client.lang',
        'jco.client.tls_client_certificate_logon',
        'jco.client.tech_user_id',
        'jco.client.tech_user_secret',
        'jco.client.tech_user_service_url',
        'jco.destination.repository.user',
        'jco.destination.repository.passwd',
      ],
    };
  }
  if (spec.authenticationProperty === null) return { main: [], more: [] };
  const authentication = input[spec.authenticationProperty];
  if (spec.type === 'MAIL' || spec.type === 'LDAP') {
    const prefix = spec.type === 'MAIL' ? 'mail' : 'ldap';
    const basic = authentication === 'BasicAuthentication' ? [`${prefix}.user`, `${prefix}.password`] : [];
    return { main: [spec.authenticationProperty, ...basic], more: [] };
  }
  if (!isAuthenticationType(authentication)) return { main: [spec.authenticationProperty], more: [] };
  const auth = AUTHENTICATIONS[authentication];
  const required = [...requiredFor(auth, input), ...auth.required];
  // Client credentials are "one of" for OAuth flows; clientSecret is the common one, so it is shown up front.
  const main = [...new Set([...required, ...(auth.clientCredentialOneOf?.slice(0, 1) ?? [])])];
  return { main: [spec.authenticationProperty, ...main], more: auth.optional.filter((name) => !main.includes(name)) };
}

function inputKind(name: string): Pick<FieldModel, 'input' | 'values'> {
  if (isSecretProperty(name)) return { input: 'secret' };
  if (CERTIFICATE_FIELDS.has(name)) return { input: 'certificate' };
  const spec = propertySpec(name);
  if (spec === undefined) return { input: 'text' };
  if (spec.kind === 'enum') return { input: 'enum', values: spec.values ?? [] };
  return { input: spec.kind };
}

/** The form for `draft`. Fields appear once, in the first section that lists them. */
export function buildForm(draft: Draft): FormModel {
  const input = validationInput(draft);
  const validate: Validator = draft.fragment ? validateFragment : validateDestination;
  const issues = validate(input);
  // A fragment mostly overrides an HTTP destination's URL or authentication: those fields, unless it sets a Type.
  const type = input.Type ?? (draft.fragment ? 'HTTP' : undefined);
  const spec = isDestinationType(type) ? DESTINATION_TYPE_SPECS[type] : undefined;
  const shown = new Set<string>();

  const field = (name: string): FieldModel | undefined => {
    if (shown.has(name)) return undefined;
    shown.add(name);
    const catalogue = propertySpec(name);
    const secret = isSecretProperty(name);
    return {
      name,
      label: catalogue?.label ?? name,
      ...(catalogue?.description === undefined ? {} : { description: catalogue.description }),
      ...inputKind(name),
      required: isRequired(validate, input, name),
      ...(secret ? { secret: draft.secrets[name] ?? 'empty' } : draft.properties[name] === undefined ? {} : { value: draft.properties[name] }),
      ...(catalogue?.deprecated === undefined ? {} : { deprecated: catalogue.deprecated }),
      issues: issues.filter((issue) => issue.field === name),
    };
  };
  const section = (id: SectionModel['id'], title: string, names: readonly string[], optional = false): SectionModel => ({
    id,
    title,
    optional,
    fields: names.map(field).filter((f): f is FieldModel => f !== undefined),
  });

  const sections: SectionModel[] = [
    section('general', 'General', draft.fragment ? ['FragmentName', 'Description'] : ['Name', 'Type', spec?.descriptionProperty ?? 'Description']),
  ];
  if (spec) {
    const auth = authenticationFields(spec, input);
    sections.push(section('target', spec.type === 'TCP' ? 'Target' : 'Connection', targetFields(spec, input)));
    if (auth.main.length > 0) sections.push(section('authentication', 'Authentication', auth.main));
    if (auth.more.length > 0) sections.push(section('authenticationOptions', 'More authentication options', auth.more, true));
    // The location ID belongs with the proxy type and is shown there only when it applies.
    sections.push(
      section(
        'options',
        'More options',
        spec.optional.filter((name) => name !== spec.locationIdProperty),
        true,
      ),
    );
  }

  const additional = Object.keys(input)
    .filter((name) => !shown.has(name))
    .map((name): AdditionalRow => ({
      name,
      ...(isSecretProperty(name) ? { secret: draft.secrets[name] ?? 'stored' } : { value: input[name] ?? '' }),
      issues: issues.filter((issue) => issue.field === name),
    }));
  const placed = new Set([...shown, ...additional.map((row) => row.name)]);
  return {
    sections: sections.filter((s) => s.fields.length > 0),
    additional,
    general: issues.filter((issue) => !placed.has(issue.field)),
    errors: issues.filter((issue) => issue.severity !== 'warning').length,
    warnings: issues.filter((issue) => issue.severity === 'warning').length,
  };
}
