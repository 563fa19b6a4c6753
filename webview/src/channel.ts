/**
 * The webview's end of the message channel: typed notifications and requests to the extension host, and
 * dispatch of the host's notifications. Requests resolve with the host's result or reject with its WireError.
 */
import type { Envelope, NotificationType, RequestType, WireError } from '../../src/protocol/ipc';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export class HostError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

export class HostChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: HostError) => void }>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor(
    private readonly api: VsCodeApi,
    target: Window,
  ) {
    target.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data as Envelope));
  }

  notify<P>(type: NotificationType<P>, params: NoInfer<P>): void {
    this.api.postMessage({ kind: 'notification', method: type.method, params });
  }

  request<P, R>(type: RequestType<P, R>, params: NoInfer<P>): Promise<R> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.api.postMessage({ kind: 'request', id, method: type.method, params });
    });
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.handlers.set(type.method, handler as (params: unknown) => void);
  }

  private receive(message: Envelope): void {
    if (message.kind === 'response') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new HostError(message.error));
      else waiting?.resolve(message.result);
    } else if (message.kind === 'notification') {
      this.handlers.get(message.method)?.(message.params);
    }
  }
}
