/**
 * Read-only JSON documents for "Compare…" after a save conflict: the service's version and the draft, side by
 * side in VS Code's diff editor. Secret values are replaced by a marker that still shows whether they differ.
 */
import * as vscode from 'vscode';
import { isSecretProperty } from '../../core/destinations/model';
import type { DestinationRecord } from '../../core/destinationService/types';

export class DiffContent implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'btp-destination-diff';
  private readonly contents = new Map<string, string>();
  private counter = 0;

  /** Two URIs (theirs, mine) whose documents show the two versions. */
  pair(name: string, theirs: DestinationRecord, mine: DestinationRecord): [vscode.Uri, vscode.Uri] {
    const id = ++this.counter;
    const uri = (side: string, record: DestinationRecord): vscode.Uri => {
      const target = vscode.Uri.from({ scheme: DiffContent.scheme, path: `/${id}/${side}/${encodeURIComponent(name)}.json` });
      this.contents.set(target.toString(), render(record, theirs, mine));
      return target;
    };
    return [uri('service', theirs), uri('yours', mine)];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.contents.clear();
  }
}

/** Sorted JSON; a secret shows as "(secret)" or, where the two sides differ, "(secret, differs)". */
function render(record: DestinationRecord, theirs: DestinationRecord, mine: DestinationRecord): string {
  const shown: Record<string, string> = {};
  for (const name of Object.keys(record).sort()) {
    const value = record[name] ?? '';
    shown[name] = isSecretProperty(name) ? (theirs[name] === mine[name] ? '(secret)' : '(secret, differs)') : value;
  }
  return `${JSON.stringify(shown, null, 2)}\n`;
}
