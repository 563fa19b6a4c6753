import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { editorPage } from './pageTemplate';

/** Where the webview's files are; also the only `localResourceRoots` entry. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** The editor page for `webview`, with a fresh nonce from the OS random source on every render. */
export function editorHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const root = webviewRoot(extensionUri);
  return editorPage({
    cspSource: webview.cspSource,
    nonce: randomBytes(18).toString('base64'),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'editor.css')).toString(),
    title,
  });
}
