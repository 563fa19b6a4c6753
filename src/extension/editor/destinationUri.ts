/**
 * The URIs destination editors are opened on: `btp-destination:/<connection>/<level>/<name>.btp-destination` for a
 * destination in the service, and `…/<level>/New Destination.btp-destination?new=<n>[&from=<name>]` for a new one
 * (or a duplicate of `from`). VS Code keys editors and backups on them; the tab shows `destinationTitle`.
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

export type DestinationAddress =
  | { readonly kind: 'existing'; readonly connection: string; readonly level: LevelName; readonly name: string }
  | { readonly kind: 'new'; readonly connection: string; readonly level: LevelName; readonly from?: string };

let newCounter = 0;

/** What the editor tab of `address` says: the destination's name, "New Destination" or "Copy of <name>". */
export function destinationTitle(address: DestinationAddress): string {
  if (address.kind === 'existing') return address.name;
  return address.from ? `Copy of ${address.from}` : 'New Destination';
}

export function destinationUri(address: DestinationAddress): vscode.Uri {
  // Names of connections and destinations cannot contain "/"; the path stays readable.
  const path = `/${address.connection}/${address.level}/${destinationTitle(address)}${DESTINATION_EXTENSION}`;
  if (address.kind === 'existing') return vscode.Uri.from({ scheme: DESTINATION_SCHEME, path });
  const query = new URLSearchParams({ new: String(++newCounter), ...(address.from ? { from: address.from } : {}) });
  return vscode.Uri.from({ scheme: DESTINATION_SCHEME, path, query: query.toString() });
}

export function parseDestinationUri(uri: vscode.Uri): DestinationAddress {
  const [connection, level, file, ...rest] = uri.path.split('/').slice(1);
  const name = file?.endsWith(DESTINATION_EXTENSION) ? file.slice(0, -DESTINATION_EXTENSION.length) : undefined;
  if (uri.scheme !== DESTINATION_SCHEME || rest.length > 0 || !connection || (level !== 'subaccount' && level !== 'instance') || !name) {
    throw new BtpError(ErrorCode.InvalidInput, `"${uri.toString()}" is not a destination address; open destinations from the BTP Connect view.`, {
      field: 'uri',
    });
  }
  const query = new URLSearchParams(uri.query);
  if (!query.has('new')) return { kind: 'existing', connection, level, name };
  const from = query.get('from');
  return { kind: 'new', connection, level, ...(from ? { from } : {}) };
}
