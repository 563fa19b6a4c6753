import { parseTunnelMode as parseMode } from '../../core/tunnel/tunnelMode';
import { defaultMaxConnections, maxConnectionsCeiling } from '../../core/forward/connectionLimit';
import type { LocalTokenMode } from '../../core/forward/sharedMachine';
import type { TunnelMode } from '../../core/tunnel/types';

/** Setting keys, in one place (package.json `contributes.configuration` declares the same). */
export const Setting = {
  forwardPorts: 'btpConnect.forwards.ports',
  autoStart: 'btpConnect.forwards.autoStart',
  allowWebSocket: 'btpConnect.forwards.allowWebSocket',
  passCookies: 'btpConnect.forwards.passCookies',
  allowedOrigins: 'btpConnect.forwards.allowedOrigins',
  requireLocalToken: 'btpConnect.forwards.requireLocalToken',
  maxConnections: 'btpConnect.forwards.maxConnections',
  tunnels: 'btpConnect.tunnels',
  sandboxPortBase: 'btpConnect.sandbox.portBase',
  terminalEnv: 'btpConnect.terminal.injectEnvironment',
  debugTypes: 'btpConnect.debug.types',
  /** Read by `network.ts` with VS Code's http.* settings. */
  httpCaFile: 'btpConnect.http.caFile',
} as const;

/** Debug types that get the environment unless `btpConnect.debug.types` says otherwise. */
export const DEFAULT_DEBUG_TYPES = ['node', 'pwa-node', 'node-terminal', 'java', 'python', 'debugpy'] as const;

/** A forward to start on activation: `<connection>/<destination>`. */
export interface AutoStart {
  readonly connection: string;
  readonly destination: string;
}

/** Reads one setting; the extension passes `workspace.getConfiguration().get`, tests a plain object. */
export type SettingReader = (key: string) => unknown;

/**
 * Typed reads of the extension's settings, with bad values replaced by defaults. Nothing here is secret:
 * credentials never go to settings. `tunnels` applies to connections opened afterwards; the others when used.
 */
export class Config {
  constructor(private readonly read: SettingReader) {}

  /** Preferred local port per destination name (`"my-api": 8080`); absent or 0 = a free port. */
  forwardPort(destination: string): number {
    const port = record(this.read(Setting.forwardPorts))[destination];
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536 ? port : 0;
  }

  autoStart(): AutoStart[] {
    const entries = this.read(Setting.autoStart);
    return (Array.isArray(entries) ? entries : []).flatMap((entry: unknown) => {
      const match = typeof entry === 'string' ? /^([^/]+)\/([A-Za-z0-9_-]+)$/.exec(entry) : null;
      return match?.[1] && match[2] ? [{ connection: match[1], destination: match[2] }] : [];
    });
  }

  allowWebSocket(): boolean {
    return this.read(Setting.allowWebSocket) === true;
  }

  /** Destination names whose forwards pass cookies both ways (SAP sessions, CSRF tokens); none by default. */
  passCookies(destination: string): boolean {
    const names = this.read(Setting.passCookies);
    return Array.isArray(names) && names.includes(destination);
  }

  /** Dev-server origins the forwards accept, as written (validated where they are applied). */
  allowedOrigins(): string[] {
    const entries = this.read(Setting.allowedOrigins);
    return Array.isArray(entries) ? entries.filter((entry): entry is string => typeof entry === 'string') : [];
  }

  /** `auto` (default): a local token where this machine looks shared; `on`; `off`. */
  localTokenMode(): LocalTokenMode {
    const mode = this.read(Setting.requireLocalToken);
    return mode === 'on' || mode === 'off' ? mode : 'auto';
  }

  /** Connections each forward may hold open upstream (1–4096); anything else is the default, 128. */
  maxConnections(): number {
    const value = this.read(Setting.maxConnections);
    return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxConnectionsCeiling ? value : defaultMaxConnections;
  }

  /** Everything the settings say about a forward to `destination`. */
  forwardSpec(destination: string): { destination: string; port: number; allowWebSocket: boolean; passCookies: boolean; maxConnections: number } {
    return {
      destination,
      port: this.forwardPort(destination),
      allowWebSocket: this.allowWebSocket(),
      passCookies: this.passCookies(destination),
      maxConnections: this.maxConnections(),
    };
  }

  /** How to reach the connectivity proxy for a connection: `direct`, `cf-ssh:<app>`, `kubectl[:<namespace>][@<context>]`. */
  tunnelMode(connection: string): TunnelMode {
    return this.tunnelSetting(connection) ?? { kind: 'direct' };
  }

  /** The setting's tunnel for a connection, undefined when it names none (then the tunnel Set Up Tunnel… saved applies). */
  tunnelSetting(connection: string): TunnelMode | undefined {
    const mode = record(this.read(Setting.tunnels))[connection];
    return typeof mode === 'string' ? parseTunnelMode(mode) : undefined;
  }

  sandboxPortBase(): number {
    const value = this.read(Setting.sandboxPortBase);
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65_000 ? value : 0;
  }

  terminalEnvironment(): boolean {
    return this.read(Setting.terminalEnv) === true;
  }

  /** Debug types whose launch configurations get the environment; default: Node, Java and Python debuggers. */
  debugTypes(): string[] {
    const types = this.read(Setting.debugTypes);
    if (!Array.isArray(types)) return [...DEFAULT_DEBUG_TYPES];
    return [...new Set(types.filter((type): type is string => typeof type === 'string' && /^[\w.-]{1,64}$/.test(type)))];
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A tunnel mode of the setting; anything that is none falls back to `direct` (a setting must not stop activation). */
export function parseTunnelMode(text: string): TunnelMode {
  try {
    return parseMode(text);
  } catch {
    return { kind: 'direct' };
  }
}
