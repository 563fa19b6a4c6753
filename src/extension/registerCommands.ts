import * as vscode from 'vscode';
import type { Ctx } from './context/ctx';
import { showError } from './base/notify';
import { CommandId, ViewId } from './base/commandIds';
import * as certificates from './commands/certificateCommands';
import * as connections from './commands/connectionCommands';
import * as destinations from './commands/destinationCommands';
import * as environment from './commands/environmentCommands';
import * as checks from './commands/checkCommands';
import * as expose from './commands/exposeCommands';
import * as forwards from './commands/forwardCommands';
import * as fragments from './commands/fragmentCommands';
import * as mailbox from './commands/mailboxCommands';
import * as users from './commands/userCommands';
import * as tenants from './commands/tenantCommands';
import * as tunnels from './tunnels/tunnelCommands';

type Handler = (ctx: Ctx, ...args: never[]) => unknown;

/** The command table: every id of `CommandId` has exactly one handler here. */
export const commandHandlers: Record<CommandId, Handler> = {
  [CommandId.connect]: connections.connect,
  [CommandId.removeConnection]: connections.removeConnection,
  [CommandId.startSandbox]: connections.startSandbox,
  [CommandId.stopSandbox]: connections.stopSandbox,
  [CommandId.exposeLocalSystem]: expose.exposeLocalSystem,
  [CommandId.openSandboxMailbox]: mailbox.openSandboxMailbox,
  [CommandId.refresh]: (ctx) => connections.refresh(ctx),
  [CommandId.refreshNode]: connections.refresh,
  [CommandId.filter]: connections.filter,
  [CommandId.clearFilter]: connections.clearFilter,
  [CommandId.revealDestination]: connections.revealDestination,
  [CommandId.copyDestinationName]: connections.copyDestinationName,
  [CommandId.editDestination]: destinations.editDestination,
  [CommandId.newDestination]: destinations.newDestination,
  [CommandId.duplicateDestination]: destinations.duplicateDestination,
  [CommandId.deleteDestination]: destinations.deleteDestination,
  [CommandId.uploadCertificate]: certificates.uploadCertificate,
  [CommandId.downloadPublicCertificate]: certificates.downloadPublicCertificate,
  [CommandId.deleteCertificate]: certificates.deleteCertificate,
  [CommandId.editFragment]: fragments.editFragment,
  [CommandId.newFragment]: fragments.newFragment,
  [CommandId.deleteFragment]: fragments.deleteFragment,
  [CommandId.exportForLocalApps]: environment.exportForLocalApps,
  [CommandId.importDefaultEnv]: environment.importDefaultEnv,
  [CommandId.signIn]: users.signIn,
  [CommandId.signOut]: users.signOut,
  [CommandId.actForTenant]: tenants.actForTenant,
  [CommandId.checkConnection]: checks.checkConnection,
  [CommandId.setUpTunnel]: tunnels.setUpTunnel,
  [CommandId.removeTunnelApp]: tunnels.removeTunnelApp,
  [CommandId.startForward]: forwards.startForward,
  [CommandId.startForwardWithFragment]: forwards.startForwardWithFragment,
  [CommandId.forwardAllDestinations]: forwards.forwardAllDestinations,
  [CommandId.stopForward]: forwards.stopForward,
  [CommandId.restartForward]: forwards.restartForward,
  [CommandId.copyForwardUrl]: forwards.copyForwardUrl,
  [CommandId.openForwardInBrowser]: forwards.openForwardInBrowser,
  [CommandId.inspectTraffic]: forwards.inspectTraffic,
  [CommandId.focusForwards]: () => vscode.commands.executeCommand(`${ViewId.forwards}.focus`),
  [CommandId.showLog]: (ctx) => ctx.channel.show(true),
};

/** Registers every command; a failure shows the core's coded message with "Show Log". */
export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return Object.entries(commandHandlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (ctx: Ctx, ...rest: unknown[]) => unknown)(ctx, ...args);
      } catch (error) {
        await showError(id.replace('btpConnect.', ''), error, ctx.logger, ctx.channel);
        return undefined;
      }
    }),
  );
}
