import * as vscode from 'vscode';
import type { ErrorCode } from '../../core/errors';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { DisposableStore } from '../../core/lifecycle/disposableStore';
import type { ConnectionRegistry } from './connectionRegistry';

export interface ForwardErrorOfferOptions {
  /** The failure of a forward that makes the offer. */
  readonly code: ErrorCode;
  /** Fires with a connection's name when what the offer fixes has changed there: it may be offered again. */
  readonly reset: vscode.Event<string>;
  /** The warning; `what` is `"<destination>"` or "A destination" for a one-port forward. */
  readonly message: (what: string, connection: string) => string;
  /** The one button, and what choosing it runs. */
  readonly action: string;
  readonly run: (connection: string) => void;
}

/**
 * A forward that failed with `code` offers one action, once per connection until `reset` fires for it: a burst of
 * failing requests must not become a burst of notifications.
 */
export class ForwardErrorOffer implements vscode.Disposable {
  private readonly offered = new Set<string>();
  private readonly subscriptions: DisposableStore;

  constructor(registry: ConnectionRegistry, options: ForwardErrorOfferOptions) {
    this.subscriptions = DisposableStore.of(
      registry.onDidChangeForward(({ connection, info }) => {
        if (info.lastError?.code !== options.code || this.offered.has(connection)) return;
        this.offered.add(connection);
        const what = info.destination === ALL_DESTINATIONS ? 'A destination' : `"${info.destination}"`;
        void vscode.window.showWarningMessage(options.message(what, connection), options.action).then((choice) => {
          if (choice) options.run(connection);
        });
      }),
      options.reset((connection) => this.offered.delete(connection)),
    );
  }

  dispose(): void {
    this.subscriptions.dispose();
  }
}
