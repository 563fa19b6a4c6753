/**
 * The extension's end of a webview channel. Every incoming message is checked at this boundary (envelope,
 * method, payload guard) before a handler sees it; requests always get exactly one response, failures as a
 * coded WireError. Disposed with its panel.
 */
import type * as vscode from 'vscode';
import { BtpError, ErrorCode, isBtpError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { envelopeProblem, type Envelope, type NotificationType, type RequestType, type WireError } from '../../protocol/ipc';

type Handler = (params: unknown) => unknown;

export class WebviewChannel implements vscode.Disposable {
  private readonly handlers = new Map<
    string,
    { kind: 'notification' | 'request'; guard: (value: unknown, path: string) => string | undefined; run: Handler }
  >();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly logger: Logger,
    /** Which page this is, for log lines and the message a refused request gets. */
    private readonly page = 'editor',
  ) {
    this.subscription = webview.onDidReceiveMessage((message: unknown) => void this.receive(message));
  }

  onNotification<P>(type: NotificationType<P>, run: (params: P) => void): void {
    this.handlers.set(type.method, { kind: 'notification', guard: type.params, run: run as Handler });
  }

  onRequest<P, R>(type: RequestType<P, R>, run: (params: P) => Promise<R>): void {
    this.handlers.set(type.method, { kind: 'request', guard: type.params, run: run as Handler });
  }

  notify<P>(type: NotificationType<P>, params: NoInfer<P>): void {
    void this.webview.postMessage({ kind: 'notification', method: type.method, params });
  }

  dispose(): void {
    this.subscription.dispose();
    this.handlers.clear();
  }

  private async receive(message: unknown): Promise<void> {
    const problem = envelopeProblem(message);
    if (problem !== undefined) {
      this.logger.warn(`${this.page} webview sent a malformed message (${problem}); ignored`);
      return;
    }
    const envelope = message as Envelope;
    if (envelope.kind === 'response') return;
    const handler = this.handlers.get(envelope.method);
    const refusal =
      handler === undefined
        ? `unknown method "${envelope.method}"`
        : handler.kind !== envelope.kind
          ? `"${envelope.method}" is a ${handler.kind}`
          : handler.guard(envelope.params, 'params');
    if (refusal !== undefined || handler === undefined) {
      this.logger.warn(`${this.page} webview message refused: ${refusal ?? 'no handler'}`);
      if (envelope.kind === 'request')
        this.respond(envelope.id, undefined, {
          code: ErrorCode.InvalidInput,
          message: `The ${this.page} sent a message the extension does not accept (${refusal ?? 'no handler'}); reopen the ${this.page}.`,
        });
      return;
    }
    if (envelope.kind === 'notification') {
      try {
        handler.run(envelope.params);
      } catch (error) {
        this.logger.error(`${this.page} notification "${envelope.method}" failed`, error);
      }
      return;
    }
    try {
      this.respond(envelope.id, await handler.run(envelope.params));
    } catch (error) {
      this.respond(envelope.id, undefined, toWireError(error));
    }
  }

  private respond(id: number, result: unknown, error?: WireError): void {
    void this.webview.postMessage({ kind: 'response', id, ...(error ? { error } : { result }) });
  }
}

/** A failure as the webview receives it: code, the core's message and per-field issues. Never a stack. */
export function toWireError(error: unknown): WireError {
  if (isBtpError(error)) return { code: error.code, message: error.message, ...(error.issues.length > 0 ? { issues: error.issues } : {}) };
  const wrapped = new BtpError(ErrorCode.ServiceError, error instanceof Error ? error.message : String(error));
  return { code: wrapped.code, message: wrapped.message };
}
