import { connect } from 'node:net';
import type { DestinationServiceClient } from '../../src/core/destinationService/client';
import type { AuthTokenEntry, DestinationRecord, FindResult } from '../../src/core/destinationService/types';
import { ForwardManager, type ForwardInfo, type ForwardManagerOptions, type ForwardSpec } from '../../src/core/forward/forwardManager';
import { createLogger, type Logger } from '../../src/core/log';
import { startRecordingServer, type RecordingServer, type Responder } from './recordingServer';

/**
 * A forward in front of a recording upstream, with destinations served from memory (no Destination service):
 * what an attack test needs to count what reached the upstream. Values are taken as given — also those the
 * validator would refuse — to prove the forward's own defences.
 */
export interface ForwardHarness {
  readonly manager: ForwardManager;
  readonly upstream: RecordingServer;
  readonly logLines: string[];
  /** Adds (or replaces) a destination pointing at the upstream unless `URL` says otherwise. */
  define(name: string, properties?: Partial<DestinationRecord>, authTokens?: AuthTokenEntry[]): void;
  start(spec: ForwardSpec): Promise<ForwardInfo>;
  close(): Promise<void>;
}

export async function startForwardHarness(
  options: { responder?: Responder; timeouts?: ForwardManagerOptions['timeouts']; localToken?: string } = {},
): Promise<ForwardHarness> {
  const upstream = await startRecordingServer(options.responder);
  const destinations = new Map<string, FindResult>();
  const logLines: string[] = [];
  const logger: Logger = createLogger((level, prefix, message, args) => logLines.push(`${level} ${prefix} ${message} ${args.map(String).join(' ')}`));
  const client: Pick<DestinationServiceClient, 'find'> = {
    find: async (name) => destinations.get(name),
  };
  const manager = new ForwardManager({
    client,
    logger,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.localToken ? { localToken: options.localToken } : {}),
  });
  return {
    manager,
    upstream,
    logLines,
    define(name, properties = {}, authTokens = []) {
      const destinationConfiguration: DestinationRecord = {
        Name: name,
        Type: 'HTTP',
        URL: `${upstream.url}/base`,
        ProxyType: 'Internet',
        Authentication: 'NoAuthentication',
        ...properties,
      } as DestinationRecord;
      destinations.set(name, { destinationConfiguration, authTokens });
    },
    start: (spec) => manager.start(spec),
    async close() {
      await manager.dispose();
      await upstream.close();
    },
  };
}

export const basicToken = (user: string, password: string): AuthTokenEntry => {
  const value = Buffer.from(`${user}:${password}`).toString('base64');
  return { type: 'Basic', value, http_header: { key: 'Authorization', value: `Basic ${value}` } };
};

/** Writes raw bytes, reads until the server closes (or `idleMs` passes without data), returns what came back. */
export function rawExchange(port: number, bytes: string | Buffer, idleMs = 2_000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.setTimeout(idleMs, () => {
      socket.destroy();
      resolve({ text, closedByServer: false });
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve({ text, closedByServer: true }));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve({ text, closedByServer: true }) : reject(error)));
  });
}

/** The status code of the first response in a raw answer, or 0 when there is none. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
}
