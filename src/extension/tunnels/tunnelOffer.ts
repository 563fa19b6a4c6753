import * as vscode from 'vscode';
import { ErrorCode } from '../../core/errors';
import { CommandId } from '../base/commandIds';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { ForwardErrorOffer } from '../connections/forwardErrorOffer';

/** A forward that cannot reach the connectivity proxy (real BTP, no tunnel) offers "Set Up Tunnel…", until its tunnel changes. */
export class TunnelOffer extends ForwardErrorOffer {
  constructor(registry: ConnectionRegistry) {
    super(registry, {
      code: ErrorCode.ProxyUnreachable,
      reset: registry.onDidChangeTunnel,
      message: (what, connection) =>
        vscode.l10n.t(
          '{0} cannot reach the connectivity proxy of {1}: on real BTP it answers only inside Cloud Foundry or Kyma. A tunnel through an app or the cluster makes it reachable.',
          what,
          connection,
        ),
      action: vscode.l10n.t('Set Up Tunnel…'),
      run: (connection) => void vscode.commands.executeCommand(CommandId.setUpTunnel, { kind: 'connection', connection, connectionKind: 'saved' }),
    });
  }
}
