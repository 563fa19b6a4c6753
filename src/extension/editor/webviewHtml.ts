import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { editorPage } from './pageTemplate';

/** Where the webview's files are; also the only `localResourceRoots` entry. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** A page of ours (script and stylesheet under `dist/webview`), with a fresh nonce from the OS random source. */
export function webviewPageHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { readonly script: string; readonly style: string; readonly title: string },
): string {
  const root = webviewRoot(extensionUri);
  return editorPage({
    cspSource: webview.cspSource,
    nonce: randomBytes(18).toString('base64'),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, page.script)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, page.style)).toString(),
    title: page.title,
  });
}

/** The destination editor page for `webview`. */
export function editorHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return webviewPageHtml(webview, extensionUri, { script: 'main.js', style: 'editor.css', title });
}
