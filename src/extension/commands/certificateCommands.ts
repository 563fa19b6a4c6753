import { basename } from 'node:path';
import * as vscode from 'vscode';
import { certificateFileExtensions, certificateNameForFile, certificateNameProblem, certificateRecord } from '../../core/certificates/certificateFiles';
import { publicPartOf } from '../../core/certificates/publicPart';
import { deleteUnusedCertificate } from '../../core/certificates/references';
import { DestinationServiceClient } from '../../core/destinationService/client';
import type { DestinationLevel } from '../../core/destinationService/types';
import { BtpError, ErrorCode } from '../../core/errors';
import type { Ctx } from '../context/ctx';
import type { CertificateNode } from '../tree/certificatesModel';
import type { TreeNode } from '../tree/destinationsModel';
import { pickConnection } from '../context/pickers';

/** The Destination service's certificates: upload a file, download the public part, delete one nobody names. */

/** The connection's Destination service client; local destinations have no certificate store. */
async function serviceClient(ctx: Ctx, connection: string): Promise<DestinationServiceClient> {
  const { client } = await ctx.registry.get(connection);
  if (client instanceof DestinationServiceClient) return client;
  throw new BtpError(ErrorCode.Unsupported, 'Local destinations have no certificate store; use a subaccount connection or the sandbox.', {
    field: 'connection',
  });
}

async function certificateFrom(ctx: Ctx, node: TreeNode | undefined, title: string): Promise<CertificateNode | undefined> {
  if (node?.kind === 'certificate') return node;
  const connection = await pickConnection(ctx, title);
  if (!connection) return undefined;
  const parent = ctx.destinations.certificates.nodeOf(connection.connection);
  await ctx.destinations.getChildren(parent);
  const certificates = ctx.destinations.certificates.certificatesOf(connection.connection);
  if (certificates.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no certificates.', connection.connection));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    certificates.map((certificate) => ({ label: certificate.name, description: certificate.level, certificate })),
    { title },
  );
  return picked?.certificate;
}

async function levelFor(node: TreeNode | undefined, connection: string): Promise<DestinationLevel | undefined> {
  if (node?.kind === 'certificate' || node?.kind === 'level') return node.level;
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Subaccount'), description: vscode.l10n.t('for destinations of the subaccount'), level: 'subaccount' as const },
      {
        label: vscode.l10n.t('Service instance'),
        description: vscode.l10n.t('for destinations of this Destination service instance'),
        level: 'instance' as const,
      },
    ],
    { title: vscode.l10n.t('Upload the certificate to {0}: at which level?', connection) },
  );
  return picked?.level;
}

export async function uploadCertificate(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection =
    node && node.kind !== 'message' ? node.connection : (await pickConnection(ctx, vscode.l10n.t('Upload a certificate to which connection?')))?.connection;
  if (!connection) return;
  const client = await serviceClient(ctx, connection);
  const level = await levelFor(node, connection);
  if (!level) return;
  const [file] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { [vscode.l10n.t('Certificates and keystores')]: [...certificateFileExtensions] },
      openLabel: vscode.l10n.t('Upload'),
      title: vscode.l10n.t('Certificate or keystore to upload to the {0} level of {1}', level, connection),
    })) ?? [];
  if (!file) return;
  const existing = new Set((await client.listCertificates(level)).map((certificate) => certificate.Name));
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Certificate name (destinations name it in KeyStoreLocation or TrustStoreLocation)'),
    value: certificateNameForFile(basename(file.fsPath)),
    validateInput: (value) =>
      certificateNameProblem(value) ??
      (existing.has(value) ? vscode.l10n.t('A certificate named "{0}" exists already at the {1} level; choose another name.', value, level) : undefined),
  });
  if (!name) return;
  if (existing.has(name)) {
    throw new BtpError(ErrorCode.AlreadyExists, `A certificate named "${name}" exists already at the ${level} level of ${connection}: choose another name.`, {
      field: 'Name',
    });
  }
  const record = certificateRecord(name, await vscode.workspace.fs.readFile(file));
  await client.createCertificate(level, record);
  ctx.destinations.refreshCertificates(connection);
  void vscode.window.showInformationMessage(vscode.l10n.t('Uploaded "{0}" to the {1} level of {2}.', name, level, connection));
}

export async function downloadPublicCertificate(ctx: Ctx, node?: TreeNode): Promise<void> {
  const certificate = await certificateFrom(ctx, node, vscode.l10n.t('Download the public part of which certificate?'));
  if (!certificate) return;
  const client = await serviceClient(ctx, certificate.connection);
  const record = await client.getCertificate(certificate.level, certificate.name);
  const part = publicPartOf(record);
  let pem: string;
  if (part.kind === 'certificates') {
    pem = part.pem;
  } else {
    // The service may read a keystore that BTP Connect cannot (it answers public keys, never certificates or keys).
    const keys = await client.getCertificatePublicKeys(certificate.level, certificate.name);
    if (keys.length === 0) {
      void vscode.window.showWarningMessage(part.reason);
      return;
    }
    pem = keys.map((key) => key.Content.trimEnd() + '\n').join('');
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(`${certificate.name.replace(/\.[^.]+$/, '')}${part.kind === 'certificates' ? '' : '-public-keys'}.pem`),
    filters: { [vscode.l10n.t('PEM')]: ['pem', 'crt'] },
    title: vscode.l10n.t('Save the public part of "{0}" (no private key)', certificate.name),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(pem, 'utf8'));
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved the public part of "{0}" to {1}.', certificate.name, target.fsPath));
}

export async function deleteCertificate(ctx: Ctx, node?: TreeNode): Promise<void> {
  const certificate = await certificateFrom(ctx, node, vscode.l10n.t('Delete which certificate?'));
  if (!certificate) return;
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Delete the certificate "{0}" from the {1} level of {2}?', certificate.name, certificate.level, certificate.connection),
    { modal: true },
    vscode.l10n.t('Delete'),
  );
  if (answer !== vscode.l10n.t('Delete')) return;
  const client = await serviceClient(ctx, certificate.connection);
  await deleteUnusedCertificate(client, certificate.level, certificate.name);
  ctx.destinations.refreshCertificates(certificate.connection);
}
