/**
 * With `btpConnect.terminal.injectEnvironment`, new integrated terminals get `destinations` pointing at the
 * running HTTP forwards, kept current as forwards start and stop (VS Code marks terminals that predate a change).
 */
import * as vscode from 'vscode';
import { envDestinations } from '../../core/localEnv/destinationsVariable';
import { Setting } from '../base/config';
import type { Ctx } from '../context/ctx';
import { DisposableStore } from '../../core/lifecycle/disposableStore';

export class TerminalEnvironment implements vscode.Disposable {
  private readonly subscriptions: DisposableStore;

  constructor(private readonly ctx: Ctx) {
    this.subscriptions = DisposableStore.of(
      ctx.registry.onDidChangeForward(({ info }) => {
        // Counters change often; only starts, stops and port changes matter here.
        if (info.state !== 'ready' && info.state !== 'stopped') return;
        this.update();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(Setting.terminalEnv)) this.update();
      }),
    );
    ctx.context.environmentVariableCollection.persistent = false;
    ctx.context.environmentVariableCollection.description = vscode.l10n.t('BTP Connect: `destinations` points at the running forwards');
    this.update();
  }

  update(): void {
    const collection = this.ctx.context.environmentVariableCollection;
    const entries = envDestinations(this.ctx.registry.forwards().map((entry) => ({ ...entry.info, localAddress: this.ctx.registry.urlForApps(entry.info) })));
    const value = JSON.stringify(entries);
    if (!this.ctx.config.terminalEnvironment() || entries.length === 0) collection.delete('destinations');
    else if (collection.get('destinations')?.value !== value) collection.replace('destinations', value);
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.ctx.context.environmentVariableCollection.clear();
  }
}
