/**
 * The envelope of every webview ↔ extension message and the descriptors messages are declared with. A message
 * type is declared once, with a literal `method` and a guard for its payload, and both sides import it.
 * Direction is stated on each declaration. No DOM, no vscode.
 */
import { boundedString, integer, literal, object, optional, unchecked, type Guard } from './guards';

/** A one-way message. */
export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly params: Guard<P>;
}

/** A message that gets exactly one response with the same `id`. */
export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly params: Guard<P>;
  /** Phantom: carries the result type, never set. */
  readonly _result?: R;
}

export function notificationType<P>(method: string, params: Guard<P>): NotificationType<P> {
  return { kind: 'notification', method, params };
}

export function requestType<P, R>(method: string, params: Guard<P>): RequestType<P, R> {
  return { kind: 'request', method, params };
}

/** A failed request: the stable code and the core's message; the UI words the heading from the code. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly WireIssue[];
}

export interface WireIssue {
  readonly field: string;
  readonly problem: string;
  readonly message: string;
  readonly severity?: 'error' | 'warning';
}

export type Envelope =
  | { readonly kind: 'notification'; readonly method: string; readonly params: unknown }
  | { readonly kind: 'request'; readonly id: number; readonly method: string; readonly params: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly result?: unknown; readonly error?: WireError };

const METHOD = boundedString(64);
const notificationEnvelope = object({ kind: literal('notification'), method: METHOD, params: unchecked<unknown>() });
const requestEnvelope = object({ kind: literal('request'), id: integer, method: METHOD, params: unchecked<unknown>() });
const responseEnvelope = object({ kind: literal('response'), id: integer, result: unchecked<unknown>(), error: optional(unchecked<unknown>()) });

/** The first problem of `value` as an envelope, or undefined when it is one. */
export function envelopeProblem(value: unknown): string | undefined {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  if (kind === 'notification') return notificationEnvelope(value, 'message');
  if (kind === 'request') return requestEnvelope(value, 'message');
  if (kind === 'response') return responseEnvelope(value, 'message');
  return 'message.kind: expected notification, request or response';
}
