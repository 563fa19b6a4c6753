/**
 * The URIs destination editors are opened on: `btp-destination:/<connection>/<level>/<name>.btp-destination` for a
 * destination in the service, and `…/<level>/New Destination.btp-destination?new=<n>[&from=<name>]` for a new one
 * (or a duplicate of `from`). A destination fragment has `…/<level>/fragments/<name>.btp-destination` (one segment
 * more, so no destination name can be mistaken for it). A connection acting for a subscriber tenant adds
 * `tenant=<subdomain or id:zid>`: the provider's "orders" and a subscriber's are different editors, and an editor
 * never saves into a tenant it was not opened for. VS Code keys editors and backups on them; the tab shows
 * `destinationTitle`.
 *
 * Auto-save must never write a destination, and VS Code tells a custom editor no reason with a save, so it is
 * VS Code's auto-save that is off for them: auto-save reads `files.autoSave` per resource, for the language VS Code
 * guesses from the resource's path, and package.json gives the language `btp-destination` the default "off". On a
 * focus change the resource is the editor's URI (the `.btp-destination` ending); after a delay or a window change it
 * is the working copy VS Code makes of it, `vscode-custom-editor:/<base64 of the URI>`, matched by the base64 of
 * the scheme (test/unit/extension/manifest.test.ts; test/e2e/editor.test.ts checks the effect in each mode).
 */
import * as vscode from 'vscode';
import { BtpError, ErrorCode } from '../../core/errors';
import type { LevelName } from '../../protocol/editorProtocol';

export const DESTINATION_SCHEME = 'btp-destination';
/** The path ending that maps destination documents to the `btp-destination` language (package.json). */
export const DESTINATION_EXTENSION = '.btp-destination';

/** `fragment`: a destination fragment (FragmentName is its key) instead of a destination. */
export type DestinationAddress = (
  | { readonly kind: 'existing'; readonly connection: string; readonly level: LevelName; readonly name: string; readonly fragment?: true }
  | { readonly kind: 'new'; readonly connection: string; readonly level: LevelName; readonly from?: string; readonly fragment?: true }
) & {
  /** The subscriber tenant the connection acted for when the editor opened (`tenantText`); none: the provider. */
  readonly tenant?: string;
};

const FRAGMENTS_SEGMENT = 'fragments';

let newCounter = 0;

/** The editor tab: the title, and the tenant it belongs to when the connection acts for a subscriber. */
export function destinationTabTitle(address: DestinationAddress): string {
  return address.tenant === undefined ? destinationTitle(address) : `${destinationTitle(address)} · ${address.tenant}`;
}

/** What the editor's file name says: the destination's name, "New Destination" or "Copy of <name>". */
export function destinationTitle(address: DestinationAddress): string {
  if (address.kind === 'existing') return address.name;
  if (address.from) return `Copy of ${address.from}`;
  return address.fragment ? 'New Fragment' : 'New Destination';
}

export function destinationUri(address: DestinationAddress): vscode.Uri {
  // Names of connections and destinations cannot contain "/"; the path stays readable.
  const path = `/${address.connection}/${address.level}/${address.fragment ? `${FRAGMENTS_SEGMENT}/` : ''}${destinationTitle(address)}${DESTINATION_EXTENSION}`;
  const tenant = address.tenant === undefined ? {} : { tenant: address.tenant };
  const query =
    address.kind === 'existing'
      ? new URLSearchParams(tenant)
      : new URLSearchParams({ new: String(++newCounter), ...(address.from ? { from: address.from } : {}), ...tenant });
  return vscode.Uri.from({ scheme: DESTINATION_SCHEME, path, ...(query.size > 0 ? { query: query.toString() } : {}) });
}

export function parseDestinationUri(uri: vscode.Uri): DestinationAddress {
  const segments = uri.path.split('/').slice(1);
  const fragment = segments.length === 4 && segments[2] === FRAGMENTS_SEGMENT;
  if (fragment) segments.splice(2, 1);
  const [connection, level, file, ...rest] = segments;
  const name = file?.endsWith(DESTINATION_EXTENSION) ? file.slice(0, -DESTINATION_EXTENSION.length) : undefined;
  if (uri.scheme !== DESTINATION_SCHEME || rest.length > 0 || !connection || (level !== 'subaccount' && level !== 'instance') || !name) {
    throw new BtpError(ErrorCode.InvalidInput, `"${uri.toString()}" is not a destination address; open destinations from the BTP Connect view.`, {
      field: 'uri',
    });
  }
  const query = new URLSearchParams(uri.query);
  const tenant = query.get('tenant');
  const extra = { ...(fragment ? { fragment: true as const } : {}), ...(tenant ? { tenant } : {}) };
  if (!query.has('new')) return { kind: 'existing', connection, level, name, ...extra };
  const from = query.get('from');
  return { kind: 'new', connection, level, ...(from ? { from } : {}), ...extra };
}
