import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { DestinationBinding } from '../bindings/types';
import { assertValidDestination } from '../destinations/validate';
import { assertValidFragment } from '../destinations/validateFragment';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { HttpAgents } from '../http/agents';
import { warmConnection } from '../http/outbound';
import { headerValue, sendRequest, type HttpRequest, type HttpResponse } from '../http/request';
import { silentLogger, type Logger } from '../log';
import type { TokenKeeper } from '../oauth/keptTokens';
import { ServiceTokens } from '../oauth/serviceTokens';
import { responseError, type Operation } from './responseErrors';
import type { BulkItemResult, CertificateRecord, DestinationLevel, DestinationRecord, FindOptions, FindResult, WithEtag } from './types';

export interface DestinationServiceClientOptions {
  readonly binding: DestinationBinding;
  readonly agents: HttpAgents;
  readonly tokens?: ServiceTokens;
  /** Where its client-credentials tokens outlive the process (a saved connection's secret store); with `tokens`, unused. */
  readonly keeper?: TokenKeeper;
  /** Act in this tenant (e.g. a subscriber of a multi-tenant app) instead of the binding's own. */
  readonly tenant?: TokenTenant;
  readonly logger?: Logger;
}

type Resource = 'Destinations' | 'Certificates' | 'DestinationFragments';

const pageSize = 1000;
/** The service's 404 text for a missing destination (spec §3.3); a fragment miss says something else. */
const notFoundMessage = 'Configuration with the specified name was not found';

/**
 * The Destination service REST API (spec §3) for one binding. Every call carries the binding's
 * client-credentials token; a 401 drops the cached token and retries once. Writes use ETags so that saving
 * over someone else's change fails with `Conflict` instead of overwriting it.
 */
export class DestinationServiceClient {
  readonly tokens: ServiceTokens;
  private readonly logger: Logger;
  private readonly base: string;
  private warmed = false;

  constructor(private readonly options: DestinationServiceClientOptions) {
    this.tokens = options.tokens ?? new ServiceTokens(options.binding, options.agents, undefined, options.keeper);
    this.logger = options.logger ?? silentLogger;
    this.base = `${options.binding.uri}/destination-configuration`;
  }

  /** The subscriber tenant this client acts in; undefined: the binding's own (provider) subaccount. */
  get tenant(): TokenTenant | undefined {
    return this.options.tenant;
  }

  /** Every destination of a level, all pages. */
  async list(level: DestinationLevel): Promise<DestinationRecord[]> {
    return this.listAll<DestinationRecord>(level, 'Destinations');
  }

  async listNames(level: DestinationLevel): Promise<string[]> {
    const response = await this.call('GET', `/v1/${level}Destinations?$select=Name`, { action: 'listing', subject: `${level} destinations` });
    return parseJson<{ Name: string }[]>(response).map((item) => item.Name);
  }

  async get(level: DestinationLevel, name: string): Promise<WithEtag<DestinationRecord>> {
    const response = await this.call('GET', `/v1/${level}Destinations/${encodeURIComponent(name)}`, destinationOperation('reading', level, name));
    return { value: parseJson<DestinationRecord>(response), ...etagOf(response) };
  }

  /** Find-destination: the destination with `authTokens` and `certificates`, instance level first (v1). */
  async find(name: string, options: FindOptions = {}): Promise<FindResult | undefined> {
    if (options.userToken && options.tenant) {
      throw new BtpError(ErrorCode.InvalidInput, 'Send either a user token or a tenant (X-tenant) to find-destination, not both.', { field: 'tenant' });
    }
    const query = new URLSearchParams();
    if (options.skipTokenRetrieval) query.set('$skipTokenRetrieval', 'true');
    if (options.skipCredentials) query.set('$skipCredentials', 'true');
    const path = options.level ? `/v2/destinations/${encodeURIComponent(name)}@${options.level}` : `/v1/destinations/${encodeURIComponent(name)}`;
    const operation = { action: 'finding', subject: `destination "${name}"` };
    const response = await this.call('GET', `${path}${query.size ? `?${query.toString().replace(/%24/g, '$')}` : ''}`, operation, findHeaders(options)).catch(
      (error: unknown) => {
        if (!isBtpError(error, ErrorCode.NotFound) || options.level || error.serviceMessage !== notFoundMessage) throw error;
        throw new BtpError(ErrorCode.NotFound, `Destination "${name}" exists at neither the instance nor the subaccount level.`, {
          status: 404,
          serviceMessage: error.serviceMessage,
        });
      },
    );
    if (response.status === 304) return undefined;
    const body = parseJson<FindResult>(response);
    const owner = body.owner;
    return {
      ...body,
      ...(owner ? { level: owner.InstanceId ? 'instance' : 'subaccount' } : {}),
      ...etagOf(response),
    };
  }

  /** Creates after validating; `AlreadyExists` when the name is taken. Returns the new ETag when the service sends one. */
  async create(level: DestinationLevel, destination: unknown): Promise<{ etag?: string }> {
    const valid = assertValidDestination(destination);
    const response = await this.call('POST', `/v1/${level}Destinations`, destinationOperation('creating', level, valid.Name ?? ''), {}, valid);
    return etagOf(response);
  }

  /**
   * Updates after validating. With `etag`, a concurrent change is detected: first by a conditional read
   * (`If-Match`, which the real service honours on GET), then by sending `If-Match` with the PUT too.
   */
  async update(level: DestinationLevel, destination: unknown, options: { etag?: string | undefined } = {}): Promise<{ etag?: string }> {
    const valid = assertValidDestination(destination);
    const name = valid.Name ?? '';
    const operation = destinationOperation('updating', level, name);
    if (options.etag) await this.assertUnchanged(`/v1/${level}Destinations/${encodeURIComponent(name)}`, options.etag, operation);
    const response = await this.call('PUT', `/v1/${level}Destinations`, operation, options.etag ? { 'if-match': options.etag } : {}, valid);
    return etagOf(response);
  }

  async delete(level: DestinationLevel, name: string, options: { etag?: string | undefined } = {}): Promise<void> {
    const path = `/v1/${level}Destinations/${encodeURIComponent(name)}`;
    const operation = destinationOperation('deleting', level, name);
    if (options.etag) await this.assertUnchanged(path, options.etag, operation);
    await this.call('DELETE', path, operation, options.etag ? { 'if-match': options.etag } : {});
  }

  /**
   * The service has no rename: create the new name, then delete the old one. If the delete fails, the new copy
   * is removed again so that nothing is left doubled.
   */
  async rename(level: DestinationLevel, from: string, to: string, options: { etag?: string | undefined } = {}): Promise<{ etag?: string }> {
    return this.move(level, from, (current) => ({ ...current, Name: to }), options);
  }

  /** Saves `destination` under its (new) `Name` in place of `from`: a rename and an update in one step. */
  async renameAndUpdate(level: DestinationLevel, from: string, destination: unknown, options: { etag?: string | undefined } = {}): Promise<{ etag?: string }> {
    const valid = assertValidDestination(destination);
    return this.move(level, from, () => valid, options);
  }

  private async move(
    level: DestinationLevel,
    from: string,
    content: (current: DestinationRecord) => unknown,
    options: { etag?: string | undefined },
  ): Promise<{ etag?: string }> {
    const current = await this.get(level, from);
    if (options.etag && current.etag && options.etag !== current.etag) {
      throw new BtpError(ErrorCode.Conflict, `Destination "${from}" was changed by someone else since it was read; reload it before renaming.`, {
        status: 412,
      });
    }
    const next = assertValidDestination(content(current.value));
    const created = await this.create(level, next);
    try {
      await this.delete(level, from, current.etag ? { etag: current.etag } : {});
    } catch (error) {
      await this.delete(level, next.Name ?? '').catch((cleanupError: unknown) =>
        this.logger.error(`rename rollback of "${next.Name ?? ''}" failed`, cleanupError),
      );
      throw error;
    }
    return created;
  }

  /** Bulk create or update (one request); resolves to the per-item results, also on 207. */
  async bulk(method: 'POST' | 'PUT', level: DestinationLevel, destinations: readonly unknown[]): Promise<BulkItemResult[]> {
    const valid = destinations.map((destination) => assertValidDestination(destination));
    const response = await this.call(
      method,
      `/v1/${level}Destinations`,
      { action: method === 'POST' ? 'creating' : 'updating', subject: `${valid.length} ${level} destinations` },
      {},
      valid,
    );
    return parseJson<BulkItemResult[]>(response);
  }

  async listCertificates(level: DestinationLevel): Promise<CertificateRecord[]> {
    return this.listAll<CertificateRecord>(level, 'Certificates');
  }

  async getCertificate(level: DestinationLevel, name: string): Promise<CertificateRecord> {
    const response = await this.call('GET', `/v1/${level}Certificates/${encodeURIComponent(name)}`, {
      action: 'reading',
      subject: `certificate "${name}" at ${level} level`,
    });
    return parseJson<CertificateRecord>(response);
  }

  async createCertificate(level: DestinationLevel, certificate: CertificateRecord): Promise<void> {
    await this.call(
      'POST',
      `/v1/${level}Certificates`,
      { action: 'uploading', subject: `certificate "${certificate.Name}" at ${level} level` },
      {},
      certificate,
    );
  }

  async deleteCertificate(level: DestinationLevel, name: string): Promise<void> {
    await this.call('DELETE', `/v1/${level}Certificates/${encodeURIComponent(name)}`, {
      action: 'deleting',
      subject: `certificate "${name}" at ${level} level`,
    });
  }

  /** The public keys (PEM) and subject DNs of a PEM certificate; empty for keystores. */
  async getCertificatePublicKeys(level: DestinationLevel, name: string): Promise<{ Content: string; SubjectDN: string; Alias?: string }[]> {
    const response = await this.call('GET', `/v1/${level}Certificates/${encodeURIComponent(name)}/publicKeys`, {
      action: 'reading',
      subject: `the public keys of certificate "${name}" at ${level} level`,
    });
    return parseJson(response);
  }

  async listFragments(level: DestinationLevel): Promise<DestinationRecord[]> {
    return this.listAll<DestinationRecord>(level, 'DestinationFragments');
  }

  async getFragment(level: DestinationLevel, name: string): Promise<WithEtag<DestinationRecord>> {
    const response = await this.call('GET', `/v1/${level}DestinationFragments/${encodeURIComponent(name)}`, fragmentOperation('reading', level, name));
    return { value: parseJson<DestinationRecord>(response), ...etagOf(response) };
  }

  /** Creates (`update: false`) or replaces a fragment, `{ FragmentName, ...properties }`, after validating it. Returns the new ETag when sent. */
  async saveFragment(level: DestinationLevel, fragment: unknown, options: { update?: boolean; etag?: string | undefined } = {}): Promise<{ etag?: string }> {
    const valid = assertValidFragment(fragment);
    const name = valid.FragmentName ?? '';
    const headers: Record<string, string> = options.etag ? { 'if-match': options.etag } : {};
    const response = await this.call(
      options.update ? 'PUT' : 'POST',
      `/v1/${level}DestinationFragments`,
      fragmentOperation(options.update ? 'updating' : 'creating', level, name),
      headers,
      valid,
    );
    return etagOf(response);
  }

  async deleteFragment(level: DestinationLevel, name: string): Promise<void> {
    await this.call('DELETE', `/v1/${level}DestinationFragments/${encodeURIComponent(name)}`, fragmentOperation('deleting', level, name));
  }

  private async listAll<T>(level: DestinationLevel, resource: Resource): Promise<T[]> {
    const items: T[] = [];
    const operation = { action: 'listing', subject: `${level} ${resource === 'DestinationFragments' ? 'fragments' : resource.toLowerCase()}` };
    for (let page = 1; ; page++) {
      const response = await this.call('GET', `/v1/${level}${resource}?$page=${page}&$pageSize=${pageSize}&$pageCount=true`, operation);
      const batch = parseJson<T[]>(response);
      items.push(...batch);
      const pageCount = Number(headerValue(response.headers, 'page-count'));
      const more = Number.isFinite(pageCount) && pageCount > 0 ? page < pageCount : batch.length === pageSize;
      if (!more) return items;
    }
  }

  private async assertUnchanged(path: string, etag: string, operation: Operation): Promise<void> {
    await this.call('GET', path, operation, { 'if-match': etag });
  }

  private async call(
    method: HttpRequest['method'],
    path: string,
    operation: Operation,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<HttpResponse> {
    if (!this.warmed) {
      // The first call fetches a token before it can send: the service's TCP and TLS handshake runs meanwhile (no
      // bytes on it before this request), a cold `forward` or `check` waits that many round trips less.
      this.warmed = true;
      warmConnection(this.options.agents.default, this.base);
    }
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.clientCredentials(this.options.tenant);
      const response = await sendRequest(
        {
          method,
          url: `${this.base}${path}`,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${token.accessToken}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        { dispatcher: this.options.agents.default, service: 'The Destination service' },
      );
      this.logger.debug(`${method} ${path.split('?')[0]} → ${response.status}`);
      if (response.status === 401 && attempt === 1) {
        // A rotated key or a token revoked early: fetch a fresh one once before giving up.
        this.tokens.invalidate(token, this.options.tenant);
        continue;
      }
      // 207 (bulk, partly failed) is a 2xx: the caller reads the per-item results.
      if ((response.status >= 200 && response.status < 300) || response.status === 304) return response;
      throw responseError(response, operation);
    }
  }
}

function fragmentOperation(action: string, level: DestinationLevel, name: string): Operation {
  return { action, subject: `fragment "${name}" at ${level} level` };
}

function destinationOperation(action: string, level: DestinationLevel, name: string): Operation {
  return { action, subject: `destination "${name}" at ${level} level` };
}

function findHeaders(options: FindOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const set = (name: string, value: string | undefined) => {
    if (value) headers[name] = value;
  };
  set('x-user-token', options.userToken);
  set('x-tenant', options.tenant);
  set('x-refresh-token', options.refreshToken);
  set('x-code', options.code);
  set('x-redirect-uri', options.redirectUri);
  set('x-code-verifier', options.codeVerifier);
  set('x-subject-token', options.subjectToken);
  set('x-subject-token-type', options.subjectTokenType);
  set('x-actor-token', options.actorToken);
  set('x-actor-token-type', options.actorTokenType);
  set('x-fragment-name', options.fragmentName);
  if (options.fragmentName && options.fragmentOptional !== undefined) headers['x-fragment-optional'] = String(options.fragmentOptional);
  set('if-none-match', options.ifNoneMatch);
  return headers;
}

function etagOf(response: HttpResponse): { etag?: string } {
  const etag = headerValue(response.headers, 'etag');
  return etag ? { etag } : {};
}

function parseJson<T>(response: HttpResponse): T {
  try {
    return JSON.parse(response.text) as T;
  } catch (error) {
    throw new BtpError(ErrorCode.ServiceError, `The Destination service answered ${response.status} with a body that is not JSON.`, {
      status: response.status,
      cause: error,
    });
  }
}
