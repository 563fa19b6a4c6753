import { get } from 'node:http';
import { ForwardManager } from '../src/core/forward/forwardManager';
import { startSandboxFixture } from '../test/support/sandboxFixture';

// Token requests behind concurrent requests: a fresh sandbox and ForwardManager in this process, the OAuth
// client-credentials destination re-pointed at the bench upstream, 50 requests at once on 50 connections.

export interface ColdTokenResult {
  readonly concurrent: number;
  /** Token requests of the destination's OAuth client for `start()` plus the first burst. */
  readonly firstUse: number;
  /** Token requests for a burst that arrives after the cached token expired. */
  readonly afterExpiry: number;
  readonly statuses: Record<string, number>;
  /** Requests the upstream saw with a Bearer token (should be 2 × concurrent). */
  readonly bearerAtUpstream: number;
}

const tokenLifetimeSeconds = 3;

function burst(port: number, count: number): Promise<number[]> {
  const one = () =>
    new Promise<number>((resolve) => {
      const request = get({ host: '127.0.0.1', port, path: '/json', agent: false }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      });
      request.once('error', () => resolve(0));
    });
  return Promise.all(Array.from({ length: count }, one));
}

export async function measureColdToken(upstreamPort: number, bearerCount: () => Promise<number>, concurrent = 50): Promise<ColdTokenResult> {
  const f = await startSandboxFixture({ tokenLifetimeSeconds });
  const manager = new ForwardManager({ client: f.client });
  try {
    const { value } = await f.client.get('subaccount', 'internet-oauth-cc');
    await f.client.update('subaccount', { ...value, URL: `http://127.0.0.1:${upstreamPort}` });
    const clientId = f.sandbox.identity.world.clientOfKind('backend').clientId;
    const tokens = () => f.sandbox.tokenService.requestCount.get(clientId) ?? 0;
    const statuses: number[] = [];
    const bearerBefore = await bearerCount();

    const beforeStart = tokens();
    const info = await manager.start({ destination: 'internet-oauth-cc' });
    statuses.push(...(await burst(info.port, concurrent)));
    const firstUse = tokens() - beforeStart;

    // The resolver refreshes at 90 % of a short token's life: after this, every request finds it stale.
    await new Promise((resolve) => setTimeout(resolve, tokenLifetimeSeconds * 1000 + 200));
    const beforeExpiry = tokens();
    statuses.push(...(await burst(info.port, concurrent)));
    const afterExpiry = tokens() - beforeExpiry;

    const counted: Record<string, number> = {};
    for (const status of statuses) counted[status] = (counted[status] ?? 0) + 1;
    return { concurrent, firstUse, afterExpiry, statuses: counted, bearerAtUpstream: (await bearerCount()) - bearerBefore };
  } finally {
    await manager.dispose();
    await f.close();
  }
}
