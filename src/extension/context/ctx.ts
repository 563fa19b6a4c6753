import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { Config } from '../base/config';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import type { DevServerOrigins } from '../forwards/devServerOrigins';
import type { DestinationEditorProvider } from '../editor/destinationEditorProvider';
import type { InspectorPanels } from '../inspector/inspectorPanels';
import type { SandboxController } from '../connections/sandboxController';
import type { DestinationsProvider } from '../tree/destinationsProvider';
import type { TreeNode } from '../tree/destinationsModel';

/**
 * What commands work with, built once in `activate()` and passed down (no global locator). Everything with a
 * lifetime is in `context.subscriptions` and goes away with the extension.
 */
export interface Ctx {
  readonly context: vscode.ExtensionContext;
  readonly channel: vscode.LogOutputChannel;
  readonly logger: Logger;
  readonly config: Config;
  readonly registry: ConnectionRegistry;
  readonly destinations: DestinationsProvider;
  readonly destinationsView: vscode.TreeView<TreeNode>;
  readonly sandbox: SandboxController;
  readonly editors: DestinationEditorProvider;
  /** The open traffic inspectors (one per forward). */
  readonly inspectors: InspectorPanels;
  /** Dev-server origins the forwards accept (setting + launch configurations). */
  readonly origins: DevServerOrigins;
  /** `vscode.env.openExternal`; the in-host tests stand in for the browser here. */
  openExternal: (uri: vscode.Uri) => Thenable<boolean>;
  /**
   * `vscode.env.asExternalUri`: on remote and web hosts the browser reaches a loopback listener through VS Code's
   * port forwarding. The in-host tests stand in here for how the user reaches the workbench.
   */
  asExternalUri: (uri: vscode.Uri) => Thenable<vscode.Uri>;
  /** "OS keychain" or the SecretStorage fallback, shown to the user. */
  readonly secretStorage: string;
}
