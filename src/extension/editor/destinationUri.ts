/**
 * The URIs destination editors are opened on: `btp-destination:/<connection>/<level>/<name>` for a destination
 * in the service, and `…/<level>/New Destination?new=<n>[&from=<name>]` for a new one (or a duplicate of
 * `from`). VS Code keys editors, backups and the tab title on them.
 */
import * as vscode from 'vscode';
import { BtpError, ErrorCode } from '../../core/errors';
import type { LevelName } from '../../protocol/editorProtocol';

export const DESTINATION_SCHEME = 'btp-destination';

export type DestinationAddress =
  | { readonly kind: 'existing'; readonly connection: string; readonly level: LevelName; readonly name: string }
  | { readonly kind: 'new'; readonly connection: string; readonly level: LevelName; readonly from?: string };

let newCounter = 0;

export function destinationUri(address: DestinationAddress): vscode.Uri {
  // Names of connections and destinations cannot contain "/"; the path stays readable (it is the tab title).
  const base = `/${address.connection}/${address.level}/`;
  if (address.kind === 'existing') return vscode.Uri.from({ scheme: DESTINATION_SCHEME, path: base + address.name });
  const query = new URLSearchParams({ new: String(++newCounter), ...(address.from ? { from: address.from } : {}) });
  const title = address.from ? `Copy of ${address.from}` : 'New Destination';
  return vscode.Uri.from({ scheme: DESTINATION_SCHEME, path: base + title, query: query.toString() });
}

export function parseDestinationUri(uri: vscode.Uri): DestinationAddress {
  const [connection, level, name, ...rest] = uri.path.split('/').slice(1);
  if (uri.scheme !== DESTINATION_SCHEME || rest.length > 0 || !connection || (level !== 'subaccount' && level !== 'instance') || !name) {
    throw new BtpError(ErrorCode.InvalidInput, `"${uri.toString()}" is not a destination address; open destinations from the BTP Connect view.`, { field: 'uri' });
  }
  const query = new URLSearchParams(uri.query);
  if (!query.has('new')) return { kind: 'existing', connection, level, name };
  const from = query.get('from');
  return { kind: 'new', connection, level, ...(from ? { from } : {}) };
}
