/**
 * One open destination: its draft, and the service operations on it (load, save with the ETag, conflict
 * detection). Several editor panels may show the same document; they re-render on `onDidChangeState`.
 */
import * as vscode from 'vscode';
import { isBtpError, ErrorCode } from '../../core/errors';
import type { DestinationRecord } from '../../core/destinationService/types';
import type { EditorState, WireError } from '../../protocol/editorProtocol';
import { DestinationDraft } from './destinationDraft';
import type { DestinationAddress } from './destinationUri';
import type { EditorSource } from './fragmentSource';
import { toWireError } from './webviewChannel';

/** What a new destination starts with: the common case, an Internet HTTP API without authentication. */
const NEW_DESTINATION: DestinationRecord = { Type: 'HTTP', ProxyType: 'Internet', Authentication: 'NoAuthentication' };

export class DestinationDocument implements vscode.CustomDocument {
  private readonly stateChanges = new vscode.EventEmitter<void>();
  /** The draft or its status changed: panels re-render. */
  readonly onDidChangeState = this.stateChanges.event;
  private conflict: { readonly theirs: DestinationRecord; readonly etag?: string } | undefined;
  private error: WireError | undefined;
  private busy: 'saving' | 'loading' | undefined;
  private certificates: string[] = [];
  private readonly disposeListeners: (() => void)[] = [];

  private constructor(
    readonly uri: vscode.Uri,
    readonly draft: DestinationDraft,
    private readonly client: EditorSource,
    private readonly secretHome: string,
  ) {}

  /** Reads the destination (or a duplicate's source) from the service; a new one starts from defaults. */
  static async open(uri: vscode.Uri, address: DestinationAddress, client: EditorSource, secretHome: string): Promise<DestinationDocument> {
    const { connection, level } = address;
    // A fragment starts empty: it only overrides what it sets.
    const kind = address.fragment ? { fragment: true } : {};
    const key = address.fragment ? 'FragmentName' : 'Name';
    let draft: DestinationDraft;
    if (address.kind === 'existing') {
      const { value, etag } = await client.get(level, address.name);
      draft = new DestinationDraft({ connection, level, saved: value, ...(etag === undefined ? {} : { etag }), ...kind });
    } else if (address.from !== undefined) {
      // Secrets are copied here, in the host; the webview only learns that they are set.
      const { value } = await client.get(level, address.from);
      draft = new DestinationDraft({ connection, level, initial: { ...value, [key]: `${address.from}-copy` }, ...kind });
    } else {
      draft = new DestinationDraft({ connection, level, initial: address.fragment ? {} : NEW_DESTINATION, ...kind });
    }
    const document = new DestinationDocument(uri, draft, client, secretHome);
    void document.loadCertificates();
    return document;
  }

  get name(): string {
    return this.draft.name ?? this.draft.savedName ?? '';
  }

  get isFragment(): boolean {
    return this.draft.keyField === 'FragmentName';
  }

  state(): EditorState {
    return this.draft.state({
      certificates: this.certificates,
      secretHome: this.secretHome,
      ...(this.busy ? { busy: this.busy } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.conflict ? { conflict: { changes: this.draft.changesAgainst(this.conflict.theirs) } } : {}),
    });
  }

  changed(): void {
    this.stateChanges.fire();
  }

  /**
   * Saves the draft: create, update, or (Name changed) rename-and-update, each guarded by the ETag read with
   * the destination. A concurrent change becomes a conflict the user resolves; nothing is overwritten.
   */
  async save(): Promise<void> {
    const content = this.draft.content;
    const level = this.draft.level;
    const etag = this.draft.etag === undefined ? {} : { etag: this.draft.etag };
    this.set({ busy: 'saving', error: undefined });
    try {
      let result: { etag?: string };
      if (this.draft.isNew) result = await this.client.create(level, content);
      else if (this.draft.name !== this.draft.savedName) result = await this.client.renameAndUpdate(level, this.draft.savedName ?? '', content, etag);
      else result = await this.client.update(level, content, etag);
      const newEtag = result.etag ?? (await this.client.get(level, this.draft.name ?? '')).etag;
      this.draft.markSaved(content, newEtag);
      this.conflict = undefined;
      this.set({ busy: undefined });
    } catch (error) {
      if (isBtpError(error) && error.code === ErrorCode.Conflict) await this.loadConflict();
      this.set({ busy: undefined, error: toWireError(error) });
      throw error;
    }
  }

  /** Drops the draft and reads the destination again (a new one goes back to its starting content). */
  async revert(): Promise<void> {
    if (this.draft.isNew) return;
    this.set({ busy: 'loading', error: undefined });
    try {
      const { value, etag } = await this.client.get(this.draft.level, this.draft.savedName ?? '');
      this.draft.reset(value, etag);
      this.conflict = undefined;
      this.set({ busy: undefined });
    } catch (error) {
      this.set({ busy: undefined, error: toWireError(error) });
      throw error;
    }
  }

  /** "Save mine over theirs": the next save is checked against their version, not the one first opened. */
  acceptTheirsAsBase(): void {
    if (!this.conflict) return;
    this.draft.rebase(this.conflict.theirs, this.conflict.etag);
    this.conflict = undefined;
    this.set({ error: undefined });
  }

  /** The service's current version while in conflict, for the diff view. */
  get theirs(): DestinationRecord | undefined {
    return this.conflict?.theirs;
  }

  clearError(): void {
    this.set({ error: undefined });
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  /** Called by VS Code when the last editor of this document closes. */
  dispose(): void {
    this.stateChanges.dispose();
    for (const listener of this.disposeListeners.splice(0)) listener();
  }

  private set(status: { busy?: 'saving' | 'loading' | undefined; error?: WireError | undefined }): void {
    if ('busy' in status) this.busy = status.busy;
    if ('error' in status) this.error = status.error;
    this.changed();
  }

  private async loadConflict(): Promise<void> {
    const name = this.draft.savedName ?? '';
    try {
      const { value, etag } = await this.client.get(this.draft.level, name);
      this.conflict = { theirs: value, ...(etag === undefined ? {} : { etag }) };
    } catch (error) {
      // Deleted meanwhile: "theirs" is nothing; saving mine would create it again.
      if (isBtpError(error) && error.code === ErrorCode.NotFound) this.conflict = { theirs: {} };
      else throw error;
    }
  }

  private async loadCertificates(): Promise<void> {
    try {
      this.certificates = (await this.client.listCertificates(this.draft.level)).map((certificate) => certificate.Name).sort();
      this.changed();
    } catch {
      // Optional: the key store fields still take a typed name.
    }
  }
}
