import type { TunnelMode } from '../tunnel/types';

/** The tunnel modes a setup saves: `direct` needs no saving, custom commands are for code, not for setups. */
export type SavedTunnelMode = Extract<TunnelMode, { kind: 'cf-ssh' | 'kubectl' }>;

/** What BTP Connect created in Cloud Foundry for a tunnel, so that removing it deletes exactly that and nothing else. */
export interface CreatedCfApp {
  /** Where it was created: the API endpoint, org and space as `cf target` named them. */
  readonly api: string;
  readonly org: string;
  readonly space: string;
  readonly spaceGuid: string;
  readonly app: string;
  /** Known once `cf push` has created it; removal deletes the app only while its GUID is still this one. */
  readonly appGuid?: string;
  /** The Connectivity service instance it was bound to (the binding goes with the app). */
  readonly serviceInstance: string;
  readonly createdAt: string;
}

/**
 * A connection's tunnel as a setup saved it, shared by the CLI and the extension through connections.json (no secret
 * in it). `mode` is absent while a setup that created an app is unfinished: the app exists, but carries no tunnel yet.
 */
export interface SavedTunnel {
  readonly mode?: SavedTunnelMode;
  readonly createdApp?: CreatedCfApp;
  readonly savedAt: string;
}

/** A saved tunnel read back from the file; anything malformed is dropped rather than stopping the connection. */
export function readSavedTunnel(value: unknown): SavedTunnel | undefined {
  if (!isRecord(value) || typeof value.savedAt !== 'string') return undefined;
  const mode = readMode(value.mode);
  const createdApp = readCreatedApp(value.createdApp);
  if (!mode && !createdApp) return undefined;
  return { savedAt: value.savedAt, ...(mode ? { mode } : {}), ...(createdApp ? { createdApp } : {}) };
}

function readMode(value: unknown): SavedTunnelMode | undefined {
  if (!isRecord(value)) return undefined;
  if (value.kind === 'cf-ssh' && typeof value.app === 'string' && value.app !== '') return { kind: 'cf-ssh', app: value.app };
  if (value.kind !== 'kubectl') return undefined;
  const text = (key: string) => (typeof value[key] === 'string' && value[key] !== '' ? { [key]: value[key] as string } : {});
  return { kind: 'kubectl', ...text('namespace'), ...text('context'), ...text('target') };
}

function readCreatedApp(value: unknown): CreatedCfApp | undefined {
  if (!isRecord(value)) return undefined;
  const fields = ['api', 'org', 'space', 'spaceGuid', 'app', 'serviceInstance', 'createdAt'] as const;
  if (!fields.every((field) => typeof value[field] === 'string')) return undefined;
  const created = Object.fromEntries(fields.map((field) => [field, value[field] as string])) as Record<(typeof fields)[number], string>;
  return { ...created, ...(typeof value.appGuid === 'string' ? { appGuid: value.appGuid } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
