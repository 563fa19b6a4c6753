import { request } from 'undici';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../src/core/bindings/types';
import { DestinationServiceClient } from '../../src/core/destinationService/client';
import { HttpAgents } from '../../src/core/http/agents';
import { ServiceTokens } from '../../src/core/oauth/serviceTokens';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox';

/** A sandbox on ephemeral loopback ports, with a core client and raw-HTTP helpers for wire-level assertions. */
export interface SandboxFixture {
  readonly sandbox: Sandbox;
  readonly agents: HttpAgents;
  readonly binding: DestinationBinding;
  readonly client: DestinationServiceClient;
  /** Client-credentials token of the destination binding (provider tenant unless `zid` is given). */
  serviceToken(zid?: string): Promise<string>;
  /** A user token (password grant with the sandbox app client) for a sandbox user. */
  userToken(userName?: string, tenantSubdomain?: string): Promise<string>;
  /** Raw call of the Destination service API, path relative to `/destination-configuration`. */
  api(path: string, init?: ApiInit): Promise<RawResponse>;
  /** Raw form POST to a token endpoint. */
  tokenRequest(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface ApiInit {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

export async function startSandboxFixture(options: SandboxOptions = {}): Promise<SandboxFixture> {
  const sandbox = await startSandbox({ portBase: 0, ...options });
  const agents = new HttpAgents({ extraCaPem: sandbox.caPem });
  const binding = parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding;
  const tokens = new ServiceTokens(binding, agents);
  const client = new DestinationServiceClient({ binding, agents, tokens });
  const app = sandbox.keys.xsuaa;

  const raw = async (url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawResponse> => {
    const response = await request(url, { method: method as 'GET', headers, body: body ?? null, dispatcher: agents.default });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  };
  const tokenRequest = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    raw(url, 'POST', { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers }, new URLSearchParams(form).toString());

  const serviceToken = async (zid?: string) => (await tokens.clientCredentials(zid ? { zid } : {})).accessToken;
  return {
    sandbox,
    agents,
    binding,
    client,
    serviceToken,
    async userToken(userName = 'alice', tenantSubdomain = 'provider') {
      const tenant = sandbox.identity.world.tenantBySubdomain(tenantSubdomain);
      const user = tenant ? sandbox.identity.world.user(tenant.id, userName) : undefined;
      if (!tenant || !user) throw new Error(`no sandbox user ${userName} in ${tenantSubdomain}`);
      const response = await tokenRequest(
        `${sandbox.endpoints.tokenServiceUrl}/oauth/token`,
        { grant_type: 'password', client_id: String(app.clientid), client_secret: String(app.clientsecret), username: user.userName, password: user.password },
        { 'x-zid': tenant.id },
      );
      if (response.status !== 200) throw new Error(`user token: ${response.status} ${response.text}`);
      return response.json<{ access_token: string }>().access_token;
    },
    async api(path, init = {}) {
      const token = init.token === undefined ? await serviceToken() : init.token;
      const headers: Record<string, string> = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      return raw(
        `${sandbox.endpoints.destinationServiceUrl}/destination-configuration${path}`,
        init.method ?? 'GET',
        headers,
        init.body === undefined ? undefined : JSON.stringify(init.body),
      );
    },
    tokenRequest,
    async close() {
      await agents.close();
      await sandbox.close();
    },
  };
}

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
