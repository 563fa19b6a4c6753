/**
 * The draft behind one destination editor, held in the extension host: the version last read from (or saved
 * to) the service with its ETag, and the user's changes. Secret values live here and only here; the webview
 * gets their states. No vscode import: unit-tested directly.
 */
import { isSecretProperty } from '../../core/destinations/model';
import type { DestinationRecord } from '../../core/destinationService/types';
import type { EditorState, LevelName, PropertyChange, SecretState } from '../../protocol/editorProtocol';

export interface DraftOrigin {
  readonly connection: string;
  readonly level: LevelName;
  /** The destination as saved in the service; undefined for a new one. */
  readonly saved?: DestinationRecord;
  readonly etag?: string;
  /** Starting content of a new draft (defaults, or a duplicate's source with its secrets). */
  readonly initial?: DestinationRecord;
  /** A destination fragment: `FragmentName` is its key instead of `Name`. */
  readonly fragment?: boolean;
}

const sameRecords = (a: DestinationRecord, b: DestinationRecord): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
};

export class DestinationDraft {
  readonly connection: string;
  readonly level: LevelName;
  /** The property that names the record in the service: `Name`, or a fragment's `FragmentName`. */
  readonly keyField: 'Name' | 'FragmentName';
  private saved: DestinationRecord | undefined;
  private savedEtag: string | undefined;
  private current: Record<string, string>;
  private appliedSeq = 0;

  constructor(origin: DraftOrigin) {
    this.connection = origin.connection;
    this.level = origin.level;
    this.keyField = origin.fragment ? 'FragmentName' : 'Name';
    this.saved = origin.saved;
    this.savedEtag = origin.etag;
    this.current = { ...(origin.initial ?? origin.saved ?? {}) };
  }

  get isNew(): boolean {
    return this.saved === undefined;
  }

  get savedName(): string | undefined {
    return this.saved?.[this.keyField];
  }

  /** The draft's name as it would be saved (the key property). */
  get name(): string | undefined {
    return this.current[this.keyField];
  }

  get etag(): string | undefined {
    return this.savedEtag;
  }

  get dirty(): boolean {
    return this.saved === undefined || !sameRecords(this.current, this.saved);
  }

  /** Everything to send to the service, secrets included. */
  get content(): DestinationRecord {
    return { ...this.current };
  }

  /** Applies a webview edit. A secret name arriving here is treated as a new secret value, never echoed. */
  edit(seq: number, set: Readonly<Record<string, string>>, remove: readonly string[]): void {
    for (const name of remove) if (!isSecretProperty(name)) delete this.current[name];
    for (const [name, value] of Object.entries(set)) this.current[name] = value;
    this.appliedSeq = Math.max(this.appliedSeq, seq);
  }

  setSecret(name: string, value: string): void {
    this.current[name] = value;
  }

  /** `keep`: back to the saved value (or none); `remove`: the secret goes on save. */
  secretAction(name: string, action: 'keep' | 'remove'): void {
    const saved = this.saved?.[name];
    if (action === 'keep' && saved !== undefined) this.current[name] = saved;
    else delete this.current[name];
  }

  secretStates(): Record<string, SecretState> {
    const states: Record<string, SecretState> = {};
    const names = new Set([...Object.keys(this.current), ...Object.keys(this.saved ?? {})].filter(isSecretProperty));
    for (const name of names) {
      const now = this.current[name];
      const before = this.saved?.[name];
      if (now === undefined) {
        if (before !== undefined) states[name] = 'removed';
      } else states[name] = now === before ? 'stored' : 'replaced';
    }
    return states;
  }

  /** The state for the webview: no secret value in it. */
  state(extra: Pick<EditorState, 'certificates' | 'secretHome'> & Partial<Pick<EditorState, 'busy' | 'conflict' | 'error'>>): EditorState {
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.current)) if (!isSecretProperty(name)) properties[name] = value;
    return {
      connection: this.connection,
      level: this.level,
      mode: this.isNew ? 'new' : 'edit',
      ...(this.keyField === 'FragmentName' ? { entity: 'fragment' as const } : {}),
      ...(this.savedName === undefined ? {} : { savedName: this.savedName }),
      properties,
      secrets: this.secretStates(),
      dirty: this.dirty,
      editSeq: this.appliedSeq,
      ...extra,
    };
  }

  /** After a successful save: what was sent is now the saved version. */
  markSaved(content: DestinationRecord, etag: string | undefined): void {
    this.saved = { ...content };
    this.savedEtag = etag;
  }

  /** Replaces draft and saved version with the service's (revert, or "discard mine"). */
  reset(saved: DestinationRecord, etag: string | undefined): void {
    this.saved = { ...saved };
    this.savedEtag = etag;
    this.current = { ...saved };
  }

  /** Keeps the user's content but takes the service's version as the base ("save mine over theirs"). */
  rebase(theirs: DestinationRecord, etag: string | undefined): void {
    this.saved = { ...theirs };
    this.savedEtag = etag;
  }

  /** The properties where the draft and `theirs` differ; secret values replaced by a marker. */
  changesAgainst(theirs: DestinationRecord): PropertyChange[] {
    const names = [...new Set([...Object.keys(theirs), ...Object.keys(this.current)])].sort();
    return names
      .filter((name) => theirs[name] !== this.current[name])
      .map((name) => {
        const secret = isSecretProperty(name);
        const show = (value: string | undefined): string | undefined => (value === undefined ? undefined : secret ? '(secret)' : value);
        const mine = show(this.current[name]);
        const other = show(theirs[name]);
        return { name, secret, ...(mine === undefined ? {} : { mine }), ...(other === undefined ? {} : { theirs: other }) };
      });
  }

  /** What a backup may hold: non-secret properties and which secrets were set. Secret values never touch a file. */
  backup(): { readonly properties: Record<string, string>; readonly secretNames: string[] } {
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.current)) if (!isSecretProperty(name)) properties[name] = value;
    return { properties, secretNames: Object.keys(this.current).filter(isSecretProperty) };
  }

  /** Restores a backup over the saved version: non-secret values from the backup, saved secrets kept where named. */
  restore(backup: { readonly properties: Readonly<Record<string, string>>; readonly secretNames: readonly string[] }): void {
    const next: Record<string, string> = { ...backup.properties };
    for (const name of backup.secretNames) {
      const saved = this.saved?.[name];
      if (saved !== undefined && isSecretProperty(name)) next[name] = saved;
    }
    this.current = next;
  }
}
