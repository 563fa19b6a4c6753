/**
 * The destination editor's messages. The extension host owns the draft (the webview can be destroyed while its
 * tab is hidden); the webview renders `State` and reports edits. Secret values travel only one way: typed in
 * the webview, sent once with `SetSecret`, never sent back.
 */
import { array, boundedString, integer, literal, object, record, unchecked } from './guards';
import { notificationType, requestType, type WireError } from './ipc';

export type LevelName = 'subaccount' | 'instance';

/** Where a secret property's value is: kept as saved, typed anew (saved on save), or to be removed on save. */
export type SecretState = 'stored' | 'replaced' | 'removed';

/** One property that differs between the user's draft and the service's current version. */
export interface PropertyChange {
  readonly name: string;
  /** Undefined: not set on that side. Secret values are never shown: "(secret)" stands in. */
  readonly mine?: string;
  readonly theirs?: string;
  readonly secret: boolean;
}

export interface EditorState {
  readonly connection: string;
  readonly level: LevelName;
  /** `new`: not in the service yet (new or duplicated destination). */
  readonly mode: 'edit' | 'new';
  /** A destination fragment (key `FragmentName`, nothing else required); absent for a destination. */
  readonly entity?: 'fragment';
  /** The name the destination has in the service (edit mode). */
  readonly savedName?: string;
  /** Every non-secret property of the draft, wire form. */
  readonly properties: Readonly<Record<string, string>>;
  /** The draft's secret properties; their values stay in the extension host. */
  readonly secrets: Readonly<Record<string, SecretState>>;
  readonly dirty: boolean;
  readonly busy?: 'saving' | 'loading';
  /** Set after a save found the destination changed in the service since it was opened. */
  readonly conflict?: { readonly changes: readonly PropertyChange[] };
  /** Certificate and key store names uploaded at this level, for the key store fields. */
  readonly certificates: readonly string[];
  /** The last failure (load or save), for the banner; fields with problems also get them next to the input. */
  readonly error?: WireError;
  /** Where saved secret values live, as shown next to them ("the Destination service"). */
  readonly secretHome: string;
  /** The `seq` of the last `Edit` applied: the webview keeps its own newer values until they are acknowledged. */
  readonly editSeq: number;
}

const NAME = boundedString(256);
/** Generous enough for a JWKS or a certificate pasted as a property, small enough to refuse junk. */
const VALUE = boundedString(256 * 1024);

/** webview → host, once the script runs: send me the state. */
export const Ready = notificationType<{ readonly version: 1 }>('ready', object({ version: literal(1) }));

/** host → webview: the whole state after every change (a destination is small; no diffing needed). */
export const State = notificationType<EditorState>('state', unchecked());

/** webview → host: non-secret properties set (value) or removed. */
export const Edit = notificationType<{ readonly seq: number; readonly set: Readonly<Record<string, string>>; readonly remove: readonly string[] }>(
  'edit',
  object({ seq: integer, set: record(VALUE, 500), remove: array(NAME, 500) }),
);

/** webview → host: a new value for a secret property; it is not echoed back. */
export const SetSecret = notificationType<{ readonly name: string; readonly value: string }>('setSecret', object({ name: NAME, value: VALUE }));

/** webview → host: undo a replacement (`keep` the saved value) or `remove` the secret on save. */
export const SecretAction = notificationType<{ readonly name: string; readonly action: 'keep' | 'remove' }>(
  'secretAction',
  object({ name: NAME, action: literal('keep', 'remove') }),
);

/** webview → host: save the draft to the Destination service (validation, ETag check). */
export const Save = requestType<Record<string, never>, { readonly saved: boolean }>('save', object({}));

/** webview → host: drop the draft and reload the destination from the service. */
export const Revert = requestType<Record<string, never>, { readonly reverted: boolean }>('revert', object({}));

/** webview → host: after a conflict, keep mine (`overwrite`), take theirs (`discard`), or open a diff (`compare`). */
export const ResolveConflict = requestType<{ readonly choice: 'overwrite' | 'discard' | 'compare' }, { readonly resolved: boolean }>(
  'resolveConflict',
  object({ choice: literal('overwrite', 'discard', 'compare') }),
);

/** webview → host: pick an uploaded certificate or upload a file for a key/trust store property. */
export const ChooseCertificate = requestType<{ readonly property: string }, { readonly name?: string }>('chooseCertificate', object({ property: NAME }));

/**
 * @internal Every message the webview may send, in one list: the security suite sends each of them malformed and the
 * protocol test checks the methods are unique; the host registers its handlers one by one (WebviewChannel).
 */
export const EDITOR_INBOUND = [Ready, Edit, SetSecret, SecretAction, Save, Revert, ResolveConflict, ChooseCertificate] as const;

export type { WireError };
