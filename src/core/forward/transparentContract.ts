import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { ConsumeLevel, FindOptions } from '../destinationService/types';
import { ErrorCode } from '../errors';
import { redactText } from '../redact';

/**
 * The request headers of SAP's transparent proxy (destination gateway, `destinationRef.name: "*"`) as its docs and
 * the SAP Cloud SDK's `TransparentProxyDestination` send them: what a one-port forward honours, what it refuses
 * with a reason, and that none of them travels upstream (some carry tokens).
 */

/** `Name` as the Destination service allows it (spec §4.1); fragments follow the same rule. */
export const destinationNamePattern = /^[A-Za-z0-9_-]{1,200}$/;

const levels: readonly ConsumeLevel[] = ['subaccount', 'instance', 'provider_subaccount', 'provider_instance'];

/** Headers passed to find-destination as they are (spec §7): user and token-exchange flows. */
const findInputs = {
  'x-subject-token': 'subjectToken',
  'x-subject-token-type': 'subjectTokenType',
  'x-actor-token': 'actorToken',
  'x-actor-token-type': 'actorTokenType',
  'x-refresh-token': 'refreshToken',
  'x-code': 'code',
  'x-redirect-uri': 'redirectUri',
  'x-code-verifier': 'codeVerifier',
  'x-token-service-tenant': 'tenant',
} as const satisfies Record<string, keyof FindOptions>;

/** Understood by the transparent proxy, not by a forward: refused with a reason rather than silently dropped. */
const notHonoured: Readonly<Record<string, string>> = {
  'x-fragment-level': 'fragments are looked up on the level of their destination here; drop X-Fragment-Level',
  'x-chain-name': 'destination chains are not resolved by forwards',
  'x-client-assertion': 'client assertions are not passed to the Destination service by forwards',
  'x-client-assertion-type': 'client assertions are not passed to the Destination service by forwards',
  'x-client-assertion-destination-name': 'client assertions are not passed to the Destination service by forwards',
};

/** Every header of the contract: the forward consumes them, none goes upstream. */
export const contractHeaderNames: ReadonlySet<string> = new Set([
  'x-destination-name',
  'x-fragment-name',
  'x-fragment-optional',
  'x-destination-level',
  'x-tenant-subdomain',
  'x-tenant-id',
  ...Object.keys(findInputs),
  ...Object.keys(notHonoured),
]);

/** `X-Chain-Var-<name>` headers belong to the contract too. */
export function isContractHeader(name: string): boolean {
  return contractHeaderNames.has(name) || name.startsWith('x-chain-var-');
}

export interface ContractRequest {
  /** find-destination inputs beyond the destination name. */
  readonly find: FindOptions;
  /** `X-Tenant-Subdomain` or `X-Tenant-Id`: act for that tenant. */
  readonly tenant?: TokenTenant;
  /** Distinguishes resolutions of one name (fragment, level, tenant, tokens); '' when nothing was asked. */
  readonly key: string;
}

export type ContractRefusal = {
  readonly ok: false;
  readonly status: 400 | 501;
  readonly code: typeof ErrorCode.LocalRequestRefused | typeof ErrorCode.Unsupported;
  readonly reason: string;
};

/**
 * Reads (and removes) the contract headers of `headers` other than `X-Destination-Name`. Each must be sent once,
 * in the documented form: duplicates and bad values are refused with 400, as the transparent proxy does.
 */
export function readContract(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
): { readonly ok: true; readonly request: ContractRequest } | ContractRefusal {
  // Most requests carry none of these: find that out without allocating anything.
  let any = false;
  for (const name in headers) {
    if (name.charCodeAt(0) === 120 && name !== 'x-destination-name' && isContractHeader(name)) {
      any = true;
      break;
    }
  }
  if (!any) return nothingAsked;
  const find: Record<string, unknown> = {};
  const secrets: string[] = [];
  let tenant: TokenTenant | undefined;
  let refusal: ContractRefusal | undefined;
  const refuse = (status: 400 | 501, reason: string) => {
    refusal ??= { ok: false, status, code: status === 400 ? ErrorCode.LocalRequestRefused : ErrorCode.Unsupported, reason };
  };
  for (const name of Object.keys(headers)) {
    if (name === 'x-destination-name' || !isContractHeader(name)) continue;
    const raw = headers[name];
    delete headers[name];
    // Node joins repeated x- headers with ", ": only the raw list shows that one was sent twice.
    if (Array.isArray(raw) || raw === undefined || sentTwice(rawHeaders, name)) {
      refuse(400, `several ${display(name)} headers`);
      continue;
    }
    const value = raw.trim();
    const unsupported = name.startsWith('x-chain-var-') ? notHonoured['x-chain-name'] : notHonoured[name];
    if (unsupported !== undefined) refuse(501, `${display(name)} is not supported: ${unsupported}`);
    else if (name === 'x-fragment-name') {
      const names = value.split(',').map((part) => part.trim());
      if (!names.every((part) => destinationNamePattern.test(part)))
        refuse(400, 'X-Fragment-Name is no list of fragment names (letters, digits, "_" and "-", separated by ",")');
      else find.fragmentName = names.join(',');
    } else if (name === 'x-fragment-optional') {
      if (value !== 'true' && value !== 'false') refuse(400, 'X-Fragment-Optional must be "true" or "false"');
      else find.fragmentOptional = value === 'true';
    } else if (name === 'x-destination-level') {
      if (!levels.includes(value as ConsumeLevel)) refuse(400, `X-Destination-Level must be one of ${levels.join(', ')}`);
      else find.level = value;
    } else if (name === 'x-tenant-subdomain' || name === 'x-tenant-id') {
      if (tenant !== undefined) refuse(400, 'send X-Tenant-Subdomain or X-Tenant-Id, not both');
      else if (!/^[A-Za-z0-9._-]{1,200}$/.test(value)) refuse(400, `${display(name)} is no tenant ${name === 'x-tenant-id' ? 'id' : 'subdomain'}`);
      else tenant = name === 'x-tenant-id' ? { zid: value } : { subdomain: value };
    } else {
      if (value === '') refuse(400, `${display(name)} is empty`);
      find[findInputs[name as keyof typeof findInputs]] = value;
      secrets.push(`${name}=${value}`);
    }
  }
  if (refusal) return refusal;
  if (find.fragmentOptional !== undefined && find.fragmentName === undefined)
    return { ok: false, status: 400, code: ErrorCode.LocalRequestRefused, reason: 'X-Fragment-Optional needs an X-Fragment-Name' };
  if (find.fragmentOptional !== undefined && String(find.fragmentName).includes(',')) {
    return {
      ok: false,
      status: 400,
      code: ErrorCode.LocalRequestRefused,
      reason: 'X-Fragment-Optional goes with one fragment only: with several in X-Fragment-Name every one must exist',
    };
  }
  const visible = ['fragmentName', 'fragmentOptional', 'level'].map((field) => String(find[field] ?? '')).join('|');
  const tenantKey = tenant ? `${tenant.zid ?? ''}|${tenant.subdomain ?? ''}` : '|';
  // Tokens are part of the key only as a hash: the key is kept (and may be logged) for as long as the resolver.
  const secretKey = secrets.length > 0 ? createHash('sha256').update(secrets.sort().join('\n')).digest('base64url') : '';
  const key = visible === '||' && tenantKey === '|' && secretKey === '' ? '' : `${visible}|${tenantKey}|${secretKey}`;
  return { ok: true, request: { find: find as FindOptions, ...(tenant ? { tenant } : {}), key } };
}

const nothingAsked = { ok: true, request: { find: {}, key: '' } } as const;

function sentTwice(rawHeaders: readonly string[], name: string): boolean {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) if ((rawHeaders[index] as string).toLowerCase() === name && ++count > 1) return true;
  return false;
}

function display(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}

/** Where an answer of the forward comes from, in the transparent proxy's `x-error-origin` words. */
export function errorOrigin(code: string): string {
  if (code === ErrorCode.NotFound || code === ErrorCode.TokenFailed || code === ErrorCode.ServiceUnavailable) return 'Destination Service';
  if (
    code === ErrorCode.ConnectivityAuthRejected ||
    code === ErrorCode.NoCloudConnector ||
    code === ErrorCode.NotExposed ||
    code === ErrorCode.BackendUnreachable ||
    code === ErrorCode.ProxyUnreachable ||
    code === ErrorCode.TunnelDown
  ) {
    return 'Connectivity Proxy';
  }
  return 'Transparent Proxy';
}

/**
 * The transparent proxy's error response headers (spec §7) on a one-port forward's own answers, so that clients
 * written for it read the same fields: the message, its origin and the status the origin gave.
 */
export function errorHeaders(code: string, message: string, internalStatus: number): Record<string, string> {
  return {
    'x-error-message': redactText(message)
      .replace(/[^\x20-\x7e]/g, ' ')
      .slice(0, 1_000),
    'x-error-origin': errorOrigin(code),
    'x-internal-error-code': String(internalStatus),
  };
}
