import { Ready } from '../../src/protocol/messages';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

// The editor UI lands with the destination editor; for now the webview only completes the handshake.
const vscode = acquireVsCodeApi();
vscode.postMessage({ method: Ready.method, params: { version: 1 } });
