/**
 * Type-specific rules for RFC, MAIL, LDAP and TCP destinations (see destination-types.ts for the table and
 * the research notes for sources).
 */
import { addressProblem, DestinationProblem, urlProblem, type DestinationView, type IssueList } from './checks';
import { RFC_CONNECTION_MODES } from './destinationTypes';
import type { ProxyType } from './model';
import { requireAll, requireOneOf } from './requirements';

const PROXY = 'jco.destination.proxy_type';

export function validateRfc(view: DestinationView, out: IssueList, proxyType: ProxyType | undefined): void {
  const mode = RFC_CONNECTION_MODES.find((m) => view.has(m.selector));
  if (mode === undefined) {
    const state = view.present('jco.client.ashost') ? 'is empty' : 'is missing';
    out.error(
      'jco.client.ashost',
      DestinationProblem.Required,
      `jco.client.ashost ${state} and no other RFC target is set; set jco.client.ashost and jco.client.sysnr (application server), jco.client.mshost and jco.client.r3name (message server) or jco.client.wshost and jco.client.wsport (WebSocket RFC with proxy type Internet).`,
    );
  } else {
    const context = `for an RFC destination with ${mode.selector} (${mode.label})`;
    requireAll(view, out, mode.required, context);
    for (const group of mode.requiredOneOf) requireOneOf(view, out, group, `an RFC destination with ${mode.selector}`);
    if (proxyType !== undefined && !mode.proxyTypes.includes(proxyType)) {
      out.error(
        PROXY,
        DestinationProblem.ProxyTypeMismatch,
        `${PROXY} is ${proxyType}, but ${mode.selector} (${mode.label}) needs ${mode.proxyTypes.join(' or ')}; change ${PROXY} or the target properties.`,
      );
    }
    if (mode.needsClient) requireAll(view, out, ['jco.client.client'], context);
  }

  const authType = view.get('jco.destination.auth_type') ?? 'CONFIGURED_USER';
  if (authType === 'PrincipalPropagation' && proxyType !== undefined && proxyType !== 'OnPremise') {
    out.error(
      PROXY,
      DestinationProblem.RequiresOnPremise,
      `jco.destination.auth_type PrincipalPropagation works only through the Cloud Connector, but ${PROXY} is ${proxyType}; set ${PROXY} to OnPremise.`,
    );
  }
  if (authType === 'TechnicalUserPropagation') {
    requireAll(
      view,
      out,
      ['jco.client.tech_user_id', 'jco.client.tech_user_secret', 'jco.client.tech_user_service_url'],
      'for jco.destination.auth_type TechnicalUserPropagation',
    );
  }
  const certificateLogon = view.get('jco.client.tls_client_certificate_logon') === '1';
  if (authType !== 'PrincipalPropagation' && authType !== 'TechnicalUserPropagation' && !certificateLogon) {
    const context = 'for an RFC destination that logs on with a configured user (jco.destination.auth_type CONFIGURED_USER, the default)';
    if (!view.has('jco.client.user') && !view.has('jco.client.alias_user'))
      requireAll(view, out, ['jco.client.user'], `${context}, unless jco.client.alias_user is set`);
    requireAll(view, out, ['jco.client.passwd'], context);
  }
}

export function validateMail(view: DestinationView, out: IssueList): void {
  if (view.get('Authentication') === 'BasicAuthentication') {
    requireAll(view, out, ['mail.user', 'mail.password'], 'for a MAIL destination with BasicAuthentication (MAIL destinations do not use User and Password)');
  }
}

export function validateLdap(view: DestinationView, out: IssueList): void {
  const url = view.get('ldap.url');
  if (url !== undefined) {
    const bad = urlProblem(url, ['ldap', 'ldaps']);
    if (bad?.problem === DestinationProblem.UrlCredentials) {
      out.error('ldap.url', bad.problem, 'ldap.url contains a user name or password before the host; remove them and use ldap.user and ldap.password.');
    } else if (bad !== undefined) {
      out.error('ldap.url', bad.problem, `ldap.url ${bad.why}; write it as ldap://host:port or ldaps://host:port.`);
    }
  }
  if (view.get('ldap.authentication') === 'BasicAuthentication') {
    requireAll(view, out, ['ldap.user', 'ldap.password'], 'for ldap.authentication BasicAuthentication');
  }
}

export function validateTcp(view: DestinationView, out: IssueList): void {
  const address = view.get('Address');
  const why = address === undefined ? undefined : addressProblem(address);
  if (why !== undefined) {
    out.error('Address', DestinationProblem.InvalidAddress, `Address ${why}, e.g. "tcp://virtual-host:3300"; fix the Address.`);
  }
}
