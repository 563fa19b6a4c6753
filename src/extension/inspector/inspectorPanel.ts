import * as vscode from 'vscode';
import type { ForwardInfo, ForwardManager } from '../../core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { toCurl, toHar, toHttpFile } from '../../core/inspect/exportFormats';
import type { TrafficLog } from '../../core/inspect/trafficLog';
import type { TrafficEntry, TrafficSummary } from '../../core/inspect/types';
import type { Logger } from '../../core/log';
import {
  Added,
  Cleared,
  ClearLog,
  CopyAsCurl,
  ExportHar,
  ForwardStopped,
  GetDetails,
  InspectorReady,
  OpenAsHttp,
  SetBodies,
  Snapshot,
} from '../../protocol/inspectorProtocol';
import { WebviewChannel } from '../editor/webviewChannel';
import { webviewPageHtml, webviewRoot } from '../editor/webviewHtml';
import { DisposableStore } from '../../core/lifecycle/disposableStore';

export interface InspectorTarget {
  readonly connection: string;
  readonly info: ForwardInfo;
  readonly manager: ForwardManager;
  /** The address apps use (with the local token, when one is required): exports replay against it. */
  readonly replayBase: string;
  /** Fires with every forward change; the panel watches for its own forward stopping. */
  readonly onDidChangeForward: (listener: (change: { readonly info: ForwardInfo }) => void) => { dispose(): void };
}

/** Exchanges are sent to the webview in batches at most this often, whatever the request rate. */
const batchMs = 150;

/**
 * The traffic inspector of one forward, in an editor tab. Opening it starts recording (`manager.inspect`);
 * closing it stops recording and drops the log, so a forward nobody inspects records nothing.
 */
export class InspectorPanel implements vscode.Disposable {
  private readonly channel: WebviewChannel;
  private readonly log: TrafficLog;
  private readonly subscriptions = new DisposableStore();
  private pending: TrafficSummary[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly target: InspectorTarget,
    extensionUri: vscode.Uri,
    logger: Logger,
    private readonly version: string,
  ) {
    this.log = target.manager.inspect(target.info.id);
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)] };
    this.channel = new WebviewChannel(panel.webview, logger, 'traffic inspector');
    this.channel.onNotification(InspectorReady, () => this.channel.notify(Snapshot, this.snapshot()));
    this.channel.onNotification(ClearLog, () => this.log.clear());
    this.channel.onRequest(SetBodies, async ({ on }) => {
      this.log.setBodies(on);
      return { on: this.log.bodies };
    });
    this.channel.onRequest(GetDetails, async ({ id }) => this.log.get(id));
    this.channel.onRequest(CopyAsCurl, async ({ id }) => {
      const entry = this.log.get(id);
      if (!entry) return { copied: false };
      await vscode.env.clipboard.writeText(toCurl(entry, target.replayBase));
      return { copied: true };
    });
    this.channel.onRequest(OpenAsHttp, async ({ ids }) => {
      const entries = this.entries(ids);
      if (entries.length === 0) return { opened: false };
      const document = await vscode.workspace.openTextDocument({ language: 'http', content: toHttpFile(entries, target.replayBase) });
      await vscode.window.showTextDocument(document, { preview: false });
      return { opened: true };
    });
    this.channel.onRequest(ExportHar, async ({ ids }) => {
      const entries = this.entries(ids);
      if (entries.length === 0) return { saved: false };
      const name = target.info.destination === ALL_DESTINATIONS ? 'all-destinations' : target.info.destination;
      const uri = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export HAR'),
        filters: { HAR: ['har'] },
        defaultUri: vscode.Uri.file(`${name}.har`),
      });
      if (!uri) return { saved: false };
      await vscode.workspace.fs.writeFile(uri, Buffer.from(toHar(entries, target.replayBase, this.version)));
      return { saved: true };
    });
    this.subscriptions.push(
      this.log.onDidAdd((summary) => this.queue(summary)),
      this.log.onDidClear(() => {
        this.pending = [];
        this.channel.notify(Cleared, {});
      }),
      target.onDidChangeForward(({ info }) => {
        if (info.id !== target.info.id || info.state !== 'stopped' || this.stopped) return;
        this.stopped = true;
        this.flush();
        this.channel.notify(ForwardStopped, {});
      }),
    );
    panel.webview.html = webviewPageHtml(panel.webview, extensionUri, { script: 'inspector.js', style: 'inspector.css', title: panel.title });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscriptions.dispose();
    this.channel.dispose();
    // Closed: nothing more is recorded, and what was is dropped.
    if (!this.stopped) this.target.manager.stopInspecting(this.target.info.id);
  }

  private snapshot() {
    this.pending = [];
    return {
      destination: this.target.info.destination,
      connection: this.target.connection,
      localAddress: this.target.info.localAddress,
      bodies: this.log.bodies,
      capacity: this.log.capacity,
      entries: this.log.list(),
      stopped: this.stopped,
    };
  }

  private queue(summary: TrafficSummary): void {
    this.pending.push(summary);
    if (this.pending.length > this.log.capacity) this.pending.splice(0, this.pending.length - this.log.capacity);
    this.timer ??= setTimeout(() => this.flush(), batchMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.channel.notify(Added, { entries: this.pending });
    this.pending = [];
  }

  private entries(ids: readonly number[]): TrafficEntry[] {
    return ids.map((id) => this.log.get(id)).filter((entry): entry is TrafficEntry => entry !== undefined);
  }
}
