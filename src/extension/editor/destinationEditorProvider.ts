/**
 * The destination editor as a VS Code custom editor: VS Code then gives it what users expect of an editor —
 * the dirty dot, Ctrl+S, "Save changes?" on close, Revert, hot-exit backups — while the draft stays in the
 * extension host, so hiding or recreating the webview loses nothing. Not auto-save: see destinationUri.ts.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { ChooseCertificate, Edit, Ready, ResolveConflict, Revert, Save, SecretAction, SetSecret, State } from '../../protocol/editorProtocol';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import type { DestinationsProvider } from '../tree/destinationsProvider';
import { chooseCertificate } from './certificates';
import { DestinationDocument } from './destinationDocument';
import { destinationTabTitle, parseDestinationUri } from './destinationUri';
import { DiffContent } from './diffContent';
import { fragmentSource, type EditorSource } from './fragmentSource';
import { tenantBoundClient, tenantBoundSource } from './tenantBoundSource';
import type { DestinationSource } from '../../core/destinationService/source';
import { WebviewChannel } from './webviewChannel';
import { editorHtml, webviewRoot } from './webviewHtml';
import { DisposableStore } from '../../core/lifecycle/disposableStore';

export const DESTINATION_EDITOR = 'btpConnect.destinationEditor';

interface Backup {
  readonly version: 1;
  readonly properties: Record<string, string>;
  readonly secretNames: string[];
}

export class DestinationEditorProvider implements vscode.CustomEditorProvider<DestinationDocument>, vscode.Disposable {
  private readonly contentChanges = new vscode.EventEmitter<vscode.CustomDocumentContentChangeEvent<DestinationDocument>>();
  readonly onDidChangeCustomDocument = this.contentChanges.event;
  private readonly diff = new DiffContent();
  private readonly disposables = DisposableStore.of(this.contentChanges, this.diff);
  /** Open documents by URI, for tests and commands ("is it open already?"). */
  readonly documents = new Map<string, DestinationDocument>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly registry: ConnectionRegistry,
    private readonly tree: DestinationsProvider,
    private readonly logger: Logger,
    /** Where secrets of local destinations live ("OS keychain"; read when used: chosen after activation). */
    private readonly secrets: { readonly description: string },
  ) {}

  register(): vscode.Disposable {
    this.disposables.push(
      vscode.window.registerCustomEditorProvider(DESTINATION_EDITOR, this, {
        supportsMultipleEditorsPerDocument: true,
        webviewOptions: { enableFindWidget: true },
      }),
      vscode.workspace.registerTextDocumentContentProvider(DiffContent.scheme, this.diff),
    );
    return this;
  }

  async openCustomDocument(uri: vscode.Uri, context: vscode.CustomDocumentOpenContext): Promise<DestinationDocument> {
    const address = parseDestinationUri(uri);
    const connection = await this.registry.get(address.connection);
    const secretHome = connection.kind === 'local' ? `the ${this.secrets.description}` : 'the Destination service';
    const adapt = (client: DestinationSource): EditorSource => (address.fragment ? fragmentSource(client, this.logger) : client);
    // Fragments of a local connection are refused here, before any tab opens.
    adapt(connection.client);
    const source = tenantBoundSource(this.registry, address, adapt);
    const document = await DestinationDocument.open(uri, address, source, secretHome);
    if (context.backupId) await this.restoreBackup(document, vscode.Uri.parse(context.backupId));
    const key = uri.toString();
    this.documents.set(key, document);
    document.onDidDispose(() => this.documents.delete(key));
    return document;
  }

  async resolveCustomEditor(document: DestinationDocument, panel: vscode.WebviewPanel): Promise<void> {
    // The tab says what the URI's file name would without its `.btp-destination` ending.
    panel.title = destinationTabTitle(parseDestinationUri(document.uri));
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot(this.extensionUri)] };
    const channel = new WebviewChannel(panel.webview, this.logger.child('editor'));
    const push = (): void => channel.notify(State, document.state());
    const edited = (): void => {
      this.contentChanges.fire({ document });
      push();
    };
    const subscriptions = DisposableStore.of(channel, document.onDidChangeState(push));
    panel.onDidDispose(() => subscriptions.dispose());

    channel.onNotification(Ready, push);
    channel.onNotification(Edit, ({ seq, set, remove }) => {
      document.draft.edit(seq, set, remove);
      edited();
    });
    channel.onNotification(SetSecret, ({ name, value }) => {
      document.draft.setSecret(name, value);
      edited();
    });
    channel.onNotification(SecretAction, ({ name, action }) => {
      document.draft.secretAction(name, action);
      edited();
    });
    channel.onRequest(Save, async () => ({ saved: (await vscode.workspace.save(document.uri)) !== undefined }));
    channel.onRequest(Revert, async () => {
      await this.revertThroughWorkbench(panel);
      return { reverted: true };
    });
    channel.onRequest(ResolveConflict, async ({ choice }) => {
      if (choice === 'compare') {
        await this.compare(document);
        return { resolved: false };
      }
      if (choice === 'discard') await this.revertThroughWorkbench(panel);
      else {
        document.acceptTheirsAsBase();
        await vscode.workspace.save(document.uri);
      }
      return { resolved: true };
    });
    channel.onRequest(ChooseCertificate, async ({ property }) => {
      const client = await tenantBoundClient(this.registry, parseDestinationUri(document.uri));
      const name = await chooseCertificate(client, document.draft.level, property);
      return name === undefined ? {} : { name };
    });
    panel.webview.html = editorHtml(panel.webview, this.extensionUri, document.name || (document.isFragment ? 'Fragment' : 'Destination'));
  }

  async saveCustomDocument(document: DestinationDocument): Promise<void> {
    await document.save();
    if (document.isFragment) this.tree.refreshFragments(document.draft.connection);
    else this.tree.refreshLevel(document.draft.connection, document.draft.level);
    this.logger.info(`saved ${document.isFragment ? 'fragment' : 'destination'} ${document.draft.connection}/${document.draft.level}/${document.name}`);
  }

  saveCustomDocumentAs(): Promise<void> {
    return Promise.reject(
      new Error(vscode.l10n.t('Destinations are saved to the Destination service; use "Duplicate Destination" to save a copy under another name.')),
    );
  }

  async revertCustomDocument(document: DestinationDocument): Promise<void> {
    await document.revert();
  }

  /** Hot-exit backup: non-secret properties and the names of set secrets; secret values never reach a file. */
  async backupCustomDocument(document: DestinationDocument, context: vscode.CustomDocumentBackupContext): Promise<vscode.CustomDocumentBackup> {
    const backup: Backup = { version: 1, ...document.draft.backup() };
    await vscode.workspace.fs.writeFile(context.destination, new TextEncoder().encode(JSON.stringify(backup)));
    return {
      id: context.destination.toString(),
      delete: () => void vscode.workspace.fs.delete(context.destination).then(undefined, () => undefined),
    };
  }

  dispose(): void {
    this.disposables.dispose();
    this.documents.clear();
  }

  private async restoreBackup(document: DestinationDocument, file: vscode.Uri): Promise<void> {
    try {
      const backup = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file))) as Backup;
      if (backup.version === 1) document.draft.restore(backup);
    } catch (error) {
      this.logger.warn(`the editor backup of ${document.uri.toString()} could not be read; the saved version is shown`, error);
    }
  }

  /** Revert goes through the workbench so that VS Code's dirty state follows. */
  private async revertThroughWorkbench(panel: vscode.WebviewPanel): Promise<void> {
    if (!panel.active) panel.reveal();
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }

  private async compare(document: DestinationDocument): Promise<void> {
    const theirs = document.theirs;
    if (!theirs) return;
    const [left, right] = this.diff.pair(document.name, theirs, document.draft.content);
    await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0}: Destination service ↔ yours', document.name), { preview: true });
  }
}
