import * as vscode from 'vscode';
import { tenantText } from '../../core/connections/subscriberTenant';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { DESTINATION_EDITOR } from './destinationEditorProvider';
import { destinationUri, type DestinationAddress } from './destinationUri';

/** Opens the destination editor on `address` for the tenant its connection acts for now (see destinationUri.ts). */
export async function openDestinationEditor(registry: Pick<ConnectionRegistry, 'get'>, address: DestinationAddress): Promise<void> {
  // The tenant of the connection the editor will use, as it is open in this window.
  const { tenant } = await registry.get(address.connection);
  const { tenant: _given, ...rest } = address;
  const uri = destinationUri({ ...rest, ...(tenant ? { tenant: tenantText(tenant) } : {}) });
  await vscode.commands.executeCommand('vscode.openWith', uri, DESTINATION_EDITOR);
}
