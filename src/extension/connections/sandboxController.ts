import * as vscode from 'vscode';
import { join } from 'node:path';
import type { Logger } from '../../core/log';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import type { Config } from '../base/config';
import type { ConnectionRegistry } from './connectionRegistry';

/**
 * The embedded sandbox: the emulated BTP side in the extension host, its state in the extension's global
 * storage. While it runs it appears as the connection "sandbox".
 */
export class SandboxController implements vscode.Disposable {
  private sandbox: Sandbox | undefined;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly registry: ConnectionRegistry,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  get running(): Sandbox | undefined {
    return this.sandbox;
  }

  /** The embedded sandbox's folder (its `cloud-connector.json`). */
  get directory(): string {
    return join(this.storage.fsPath, 'sandbox');
  }

  async start(): Promise<Sandbox> {
    if (this.sandbox) return this.sandbox;
    const sandbox = await startSandbox({ directory: this.directory, portBase: this.config.sandboxPortBase(), logger: this.logger.child('sandbox') });
    this.sandbox = sandbox;
    await this.registry.setSandbox(sandbox);
    await vscode.commands.executeCommand('setContext', 'btpConnect.sandboxRunning', true);
    this.logger.info(`sandbox started: destination service ${sandbox.endpoints.destinationServiceUrl}`);
    return sandbox;
  }

  async stop(): Promise<void> {
    const sandbox = this.sandbox;
    if (!sandbox) return;
    this.sandbox = undefined;
    await this.registry.setSandbox(undefined);
    await sandbox.close();
    await vscode.commands.executeCommand('setContext', 'btpConnect.sandboxRunning', false);
    this.logger.info('sandbox stopped');
  }

  dispose(): void {
    void this.stop();
  }
}
