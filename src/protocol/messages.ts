/**
 * Messages between the destination editor webview and the extension host, declared once and shared by both
 * sides (no vscode, no DOM here). Each descriptor has a literal `method`; direction is in its comment.
 */

export interface Notification<P> {
  readonly kind: 'notification';
  readonly method: string;
  /** Phantom field carrying the payload type; never set at runtime. */
  readonly payload?: P;
}

function notification<P>(method: string): Notification<P> {
  return { kind: 'notification', method };
}

/** webview → host: the webview has loaded and can receive messages. */
export const Ready = notification<{ readonly version: 1 }>('ready');

export interface Envelope {
  readonly method: string;
  readonly params?: unknown;
}

export function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && typeof (value as { method?: unknown }).method === 'string';
}
