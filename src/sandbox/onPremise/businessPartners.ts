import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, sendEmpty, sendJson } from '../http/respond';

/**
 * An OData V2-shaped entity set in memory, after SAP's API_BUSINESS_PARTNER: enough for CRUD through the
 * Cloud Connector (list with $top/$skip, read by key, POST 201, PATCH/MERGE 204, DELETE 204).
 */

export const servicePath = '/sap/opu/odata/sap/API_BUSINESS_PARTNER';
const entitySet = 'A_BusinessPartner';
const entityType = 'API_BUSINESS_PARTNER.A_BusinessPartnerType';
const fields = ['BusinessPartnerCategory', 'BusinessPartnerFullName', 'FirstName', 'LastName', 'OrganizationBPName1', 'SearchTerm1', 'Industry'] as const;

type Partner = Record<string, string>;

const seed: Partner[] = [
  { BusinessPartner: '1000001', BusinessPartnerCategory: '2', BusinessPartnerFullName: 'Acme Corporation', OrganizationBPName1: 'Acme Corporation', SearchTerm1: 'ACME', Industry: 'Manufacturing' },
  { BusinessPartner: '1000002', BusinessPartnerCategory: '2', BusinessPartnerFullName: 'Globex Ltd.', OrganizationBPName1: 'Globex Ltd.', SearchTerm1: 'GLOBEX', Industry: 'Energy' },
  { BusinessPartner: '1000003', BusinessPartnerCategory: '1', BusinessPartnerFullName: 'Ada Lovelace', FirstName: 'Ada', LastName: 'Lovelace', SearchTerm1: 'LOVELACE' },
  { BusinessPartner: '1000004', BusinessPartnerCategory: '1', BusinessPartnerFullName: 'Grace Hopper', FirstName: 'Grace', LastName: 'Hopper', SearchTerm1: 'HOPPER' },
];

const keyPattern = new RegExp(`^${servicePath}/${entitySet}\\('([^']{1,10})'\\)$`);

export class BusinessPartners {
  private readonly partners = new Map<string, Partner>(seed.map((partner) => [partner.BusinessPartner as string, { ...partner }]));
  private readonly csrfToken = randomBytes(16).toString('base64');

  /** Answers requests under `servicePath`; false when the path is not part of the service. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    // SAP Gateway hands out CSRF tokens on request; clients such as the Cloud SDK fetch one before writes.
    const csrf: Record<string, string> = req.headers['x-csrf-token'] === 'fetch' ? { 'x-csrf-token': this.csrfToken } : {};
    if (path === servicePath || path === `${servicePath}/`) {
      sendJson(res, 200, { d: { EntitySets: [entitySet] } }, csrf);
      return true;
    }
    const base = origin(req);
    if (path === `${servicePath}/${entitySet}`) {
      if (req.method === 'GET' || req.method === 'HEAD') return this.list(res, url, base, csrf);
      if (req.method === 'POST') return this.create(req, res, base);
      return methodNotAllowed(res);
    }
    const key = keyPattern.exec(path)?.[1];
    if (key === undefined) return false;
    const partner = this.partners.get(key);
    if (!partner) return odataError(res, 404, 'Resource not found', `No ${entitySet} with key '${key}'`);
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        sendJson(res, 200, { d: this.entity(partner, base) }, csrf);
        return true;
      case 'PATCH':
      case 'MERGE':
        return this.update(req, res, partner);
      case 'DELETE':
        this.partners.delete(key);
        sendEmpty(res, 204);
        return true;
      default:
        return methodNotAllowed(res);
    }
  }

  private list(res: ServerResponse, url: URL, base: string, headers: Record<string, string>): boolean {
    const top = nonNegative(url.searchParams.get('$top'));
    const skip = nonNegative(url.searchParams.get('$skip'));
    if (top === null || skip === null) return odataError(res, 400, 'Invalid query option', '$top and $skip must be non-negative integers');
    const all = [...this.partners.values()];
    const page = all.slice(skip ?? 0, top === undefined ? undefined : (skip ?? 0) + top);
    const count = url.searchParams.get('$inlinecount') === 'allpages' ? { __count: String(all.length) } : {};
    sendJson(res, 200, { d: { ...count, results: page.map((partner) => this.entity(partner, base)) } }, headers);
    return true;
  }

  private async create(req: IncomingMessage, res: ServerResponse, base: string): Promise<boolean> {
    const body = await readJson(req);
    if (!body) return odataError(res, 400, 'Malformed payload', 'The body must be a JSON object');
    const key = body.BusinessPartner === undefined ? this.nextKey() : body.BusinessPartner;
    if (typeof key !== 'string' || !/^\d{1,10}$/.test(key)) return odataError(res, 400, 'Invalid key', 'BusinessPartner must be 1 to 10 digits');
    if (this.partners.has(key)) return odataError(res, 409, 'Already exists', `${entitySet} '${key}' exists already`);
    const partner: Partner = { BusinessPartner: key, ...pickFields(body) };
    this.partners.set(key, partner);
    sendJson(res, 201, { d: this.entity(partner, base) }, { location: entityUri(base, key) });
    return true;
  }

  private async update(req: IncomingMessage, res: ServerResponse, partner: Partner): Promise<boolean> {
    const body = await readJson(req);
    if (!body) return odataError(res, 400, 'Malformed payload', 'The body must be a JSON object');
    if (body.BusinessPartner !== undefined && body.BusinessPartner !== partner.BusinessPartner) {
      return odataError(res, 400, 'Key change', 'The key BusinessPartner cannot be changed');
    }
    Object.assign(partner, pickFields(body));
    sendEmpty(res, 204);
    return true;
  }

  private entity(partner: Partner, base: string): Record<string, unknown> {
    const uri = entityUri(base, partner.BusinessPartner ?? '');
    return { __metadata: { id: uri, uri, type: entityType }, ...partner };
  }

  private nextKey(): string {
    const highest = Math.max(1000000, ...[...this.partners.keys()].map(Number).filter(Number.isFinite));
    return String(highest + 1);
  }
}

/** Links use the Host the request arrived with: behind a Cloud Connector with `hostInHeader: virtual` that is the virtual host. */
function origin(req: IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}`;
}

function entityUri(base: string, key: string): string {
  return `${base}${servicePath}/${entitySet}('${key}')`;
}

function nonNegative(value: string | null): number | undefined | null {
  if (value === null) return undefined;
  return /^\d{1,9}$/.test(value) ? Number(value) : null;
}

function pickFields(body: Record<string, unknown>): Partner {
  const picked: Partner = {};
  for (const field of fields) if (typeof body[field] === 'string') picked[field] = body[field];
  return picked;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await readBody(req, 256 * 1024));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    return undefined;
  }
}

function odataError(res: ServerResponse, status: number, code: string, message: string): boolean {
  sendJson(res, status, { error: { code, message: { lang: 'en', value: message } } });
  return true;
}

function methodNotAllowed(res: ServerResponse): boolean {
  return odataError(res, 405, 'Method not allowed', 'This method is not supported on this resource');
}
