import * as vscode from 'vscode';
import { OriginAllowList } from '../../core/forward/allowedOrigins';
import { isBtpError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { Setting, type Config } from '../base/config';

/**
 * The dev-server origins every forward of this window accepts: `btpConnect.forwards.allowedOrigins`, plus those a
 * launch configuration declared (kept until the window closes). Running forwards see changes at once: they hold
 * this one list.
 */
export class DevServerOrigins implements vscode.Disposable {
  readonly list = new OriginAllowList();
  private readonly fromLaunches = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.apply();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(Setting.allowedOrigins)) this.apply();
    });
  }

  /** Origins of a launch configuration (`"btpConnect": { "allowedOrigins": [...] }`); throws on a bad one. */
  addFromLaunch(origins: readonly string[]): void {
    this.list.add(origins, 'btpConnect.allowedOrigins');
    for (const origin of origins) this.fromLaunches.add(origin);
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** Valid entries of the setting apply; each bad one is named in the log and a warning (a setting must not stop forwards). */
  private apply(): void {
    const valid: string[] = [];
    for (const entry of this.config.allowedOrigins()) {
      try {
        new OriginAllowList([entry], Setting.allowedOrigins);
        valid.push(entry);
      } catch (error) {
        const message = isBtpError(error) ? error.message : String(error);
        this.logger.warn(message);
        void vscode.window.showWarningMessage(message);
      }
    }
    this.list.replace([...valid, ...this.fromLaunches], Setting.allowedOrigins);
  }
}
