/**
 * The traffic inspector's messages. The extension host holds the forward's traffic log; the webview shows rows
 * (summaries) and asks for one exchange's details when it is selected. Everything that crosses is masked
 * already (core/inspect/mask.ts): no message carries a credential.
 */
import type { TrafficEntry, TrafficSummary } from '../core/inspect/types';
import { array, boolean, integer, literal, object, unchecked } from './guards';
import { notificationType, requestType } from './ipc';

export type { TrafficEntry, TrafficSummary };

export interface InspectorSnapshot {
  /** The forward's destination, or `*` for one port for all destinations. */
  readonly destination: string;
  readonly connection: string;
  readonly localAddress: string;
  readonly bodies: boolean;
  /** How many exchanges the log keeps before the oldest go. */
  readonly capacity: number;
  readonly entries: readonly TrafficSummary[];
  /** The forward has stopped: nothing more arrives. */
  readonly stopped: boolean;
}

/** webview → host, once the script runs: send me the snapshot. */
export const InspectorReady = notificationType<{ readonly version: 1 }>('inspector/ready', object({ version: literal(1) }));

/** host → webview: everything so far (on ready, and after the webview was recreated). */
export const Snapshot = notificationType<InspectorSnapshot>('inspector/snapshot', unchecked());

/** host → webview: exchanges that ended since the last message (batched, at most a few messages a second). */
export const Added = notificationType<{ readonly entries: readonly TrafficSummary[] }>('inspector/added', unchecked());

/** host → webview: the log was cleared. */
export const Cleared = notificationType<Record<string, never>>('inspector/cleared', unchecked());

/** host → webview: the forward stopped; the rows stay for reading and export. */
export const ForwardStopped = notificationType<Record<string, never>>('inspector/stopped', unchecked());

const ID = integer;
const IDS = array(integer, 10_000);

/** webview → host: one exchange with headers (and bodies, when recorded); undefined once it left the log. */
export const GetDetails = requestType<{ readonly id: number }, TrafficEntry | undefined>('inspector/details', object({ id: ID }));

/** webview → host: put `curl` for an exchange on the clipboard (replayed through the forward). */
export const CopyAsCurl = requestType<{ readonly id: number }, { readonly copied: boolean }>('inspector/copyCurl', object({ id: ID }));

/** webview → host: open the exchanges as an untitled `.http` document (all shown rows, in order). */
export const OpenAsHttp = requestType<{ readonly ids: readonly number[] }, { readonly opened: boolean }>('inspector/openHttp', object({ ids: IDS }));

/** webview → host: save the exchanges as a HAR file (the user picks where). */
export const ExportHar = requestType<{ readonly ids: readonly number[] }, { readonly saved: boolean }>('inspector/exportHar', object({ ids: IDS }));

/** webview → host: drop everything recorded so far. */
export const ClearLog = notificationType<Record<string, never>>('inspector/clear', object({}));

/** webview → host: record bodies from now on, or stop; answered once the log records that way. */
export const SetBodies = requestType<{ readonly on: boolean }, { readonly on: boolean }>('inspector/bodies', object({ on: boolean }));

/**
 * @internal Every message the inspector page may send, in one list: the security suite sends each of them malformed
 * and the protocol test checks the methods are unique; the host registers its handlers one by one.
 */
export const INSPECTOR_INBOUND = [InspectorReady, GetDetails, CopyAsCurl, OpenAsHttp, ExportHar, ClearLog, SetBodies] as const;

/**
 * The inspector's filter: words separated by spaces, all must match. `4xx`/`5xx`/`404` match the status, `GET`
 * the method, `error` failed exchanges, anything else a part of the path or destination (case-insensitive).
 */
export function matchesFilter(summary: TrafficSummary, filter: string): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => {
    if (/^[1-5]xx$/.test(word)) return Math.floor(summary.status / 100) === Number(word[0]);
    if (/^[1-5][0-9][0-9]$/.test(word)) return summary.status === Number(word);
    if (word === 'error') return summary.error !== undefined || summary.status >= 500;
    if (word === summary.method.toLowerCase()) return true;
    return summary.path.toLowerCase().includes(word) || summary.destination.toLowerCase().includes(word);
  });
}
