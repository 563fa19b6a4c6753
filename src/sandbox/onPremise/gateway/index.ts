import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody } from '../../http/respond';
import { executeBatch } from './batch';
import { badRequest, GatewayError } from './errors';
import { SecuritySessions } from './logon';
import { errorResponse, ODataService, type ODataResponse } from './service';

/** Where SAP Gateway serves the business-partner API on the sandbox ERP. */
export const servicePath = '/sap/opu/odata/sap/API_BUSINESS_PARTNER';

const writes = new Set(['POST', 'PUT', 'PATCH', 'MERGE', 'DELETE']);
const tunnelled = new Set(['MERGE', 'PATCH', 'PUT', 'DELETE']);

/**
 * SAP Gateway in front of the OData V2 service API_BUSINESS_PARTNER: logon (client, user), CSRF tokens bound to
 * security sessions, `X-HTTP-Method` tunnelling, `$batch`, then the service itself.
 */
export class GatewayService {
  readonly odata: ODataService;
  private readonly sessions = new SecuritySessions();

  constructor(options: { pageSize?: number } = {}) {
    this.odata = new ODataService(options.pageSize);
  }

  /** Answers requests under `servicePath`; false when the path is not part of the service. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== servicePath && !url.pathname.startsWith(`${servicePath}/`)) return false;
    const logon = this.sessions.logon(req.headers, url.searchParams);
    if ('status' in logon) {
      res.writeHead(401, { ...logon.headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${logon.message}\n`);
      return true;
    }
    const method = req.method ?? 'GET';
    const headers: Record<string, string | string[]> = {};
    if (method === 'GET' || method === 'HEAD') {
      if (String(req.headers['x-csrf-token'] ?? '').toLowerCase() === 'fetch') {
        const fetched = this.sessions.fetchToken(logon, req.headers.cookie);
        headers['x-csrf-token'] = fetched.token;
        if (fetched.setCookie.length > 0) headers['set-cookie'] = fetched.setCookie;
      }
    } else if (writes.has(method) && !this.sessions.validToken(logon, req.headers.cookie, single(req.headers['x-csrf-token']))) {
      res.writeHead(403, { 'x-csrf-token': 'Required', 'content-type': 'text/plain; charset=utf-8' });
      res.end('CSRF token validation failed');
      return true;
    }
    const response = await this.respond(req, url, method, logon.user);
    res.writeHead(response.status, { ...response.headers, ...headers, 'sap-client': logon.client });
    res.end(method === 'HEAD' ? undefined : response.body);
    return true;
  }

  private async respond(req: IncomingMessage, url: URL, method: string, user: string): Promise<ODataResponse> {
    try {
      const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req, 1024 * 1024);
      const serviceRoot = `http://${req.headers.host ?? 'localhost'}${servicePath}`;
      const path = decodeURIComponent(url.pathname.slice(servicePath.length).replace(/^\//, ''));
      if (path === '$batch') {
        if (method !== 'POST') throw badRequest('$batch takes POST only');
        return executeBatch(this.odata, String(req.headers['content-type'] ?? ''), body, { serviceRoot, servicePath, user });
      }
      const override = String(req.headers['x-http-method'] ?? '').toUpperCase();
      const effective = method === 'POST' && tunnelled.has(override) ? override : method;
      return this.odata.execute({ method: effective, path, query: url.searchParams, body, serviceRoot, user });
    } catch (error) {
      if (error instanceof BodyTooLargeError) return errorResponse(new GatewayError(413, '/IWFND/CM_BEC/026', 'The request body is too large'));
      if (error instanceof GatewayError) return errorResponse(error);
      if (error instanceof URIError) return errorResponse(badRequest('The URL is not correctly encoded'));
      throw error;
    }
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
