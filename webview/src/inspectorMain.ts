/** The traffic inspector webview's entry point: the VS Code elements it uses, the channel, the app. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { HostChannel, type VsCodeApi } from './channel';
import { InspectorApp } from './inspectorApp';

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const root = document.getElementById('app');
if (root) new InspectorApp(new HostChannel(api, window), api, root).start();
