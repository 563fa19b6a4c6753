import * as vscode from 'vscode';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import type { Logger } from '../../core/log';
import type { ConnectionRegistry, ForwardEntry } from '../connections/connectionRegistry';
import { InspectorPanel } from './inspectorPanel';

/** The open traffic inspectors, one per forward: asking again for the same forward reveals its tab. */
export class InspectorPanels implements vscode.Disposable {
  private readonly open = new Map<string, InspectorPanel>();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
    private readonly version: string,
  ) {}

  async show(entry: ForwardEntry): Promise<void> {
    const existing = this.open.get(entry.info.id);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const connection = await this.registry.get(entry.connection);
    const name = entry.info.destination === ALL_DESTINATIONS ? 'all destinations' : entry.info.destination;
    const panel = vscode.window.createWebviewPanel('btpConnect.trafficInspector', `Traffic: ${name}`, vscode.ViewColumn.Active, { enableScripts: true });
    const inspector = new InspectorPanel(
      panel,
      {
        connection: entry.connection,
        info: entry.info,
        manager: connection.forwards,
        replayBase: this.registry.urlForApps(entry.info),
        onDidChangeForward: this.registry.onDidChangeForward,
      },
      this.extensionUri,
      this.logger.child('inspector'),
      this.version,
    );
    this.open.set(entry.info.id, inspector);
    panel.onDidDispose(() => {
      this.open.delete(entry.info.id);
      inspector.dispose();
    });
  }

  /** How many inspectors are open (tests). */
  get count(): number {
    return this.open.size;
  }

  dispose(): void {
    for (const inspector of [...this.open.values()]) inspector.panel.dispose();
  }
}
