/**
 * Picking a key store or trust store for a destination property: one of the certificates uploaded at the level,
 * or a file the user uploads now (it goes to the Destination service's certificate store, not to the draft).
 */
import * as vscode from 'vscode';
import { certificateFileExtensions, certificateNameForFile, certificateRecord } from '../../core/certificates/certificateFiles';
import type { DestinationSource } from '../../core/destinationService/source';
import type { DestinationLevel } from '../../core/destinationService/types';
import { BtpError, ErrorCode } from '../../core/errors';

const upload = (): string => vscode.l10n.t('$(cloud-upload) Upload a file…');
const certificateFiles = () => ({ [vscode.l10n.t('Key and trust stores')]: [...certificateFileExtensions] });

export async function chooseCertificate(client: DestinationSource, level: DestinationLevel, property: string): Promise<string | undefined> {
  const names = (await client.listCertificates(level)).map((certificate) => certificate.Name).sort();
  const picked = await vscode.window.showQuickPick([...names.map((name) => ({ label: name })), { label: upload() }], {
    title: vscode.l10n.t('{0}: a certificate uploaded at the {1} level', property, level),
    placeHolder: names.length === 0 ? vscode.l10n.t('No certificate uploaded yet') : vscode.l10n.t('Pick one, or upload a file'),
  });
  if (!picked) return undefined;
  if (picked.label !== upload()) return picked.label;
  const [file] = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: certificateFiles(), openLabel: vscode.l10n.t('Upload') })) ?? [];
  if (!file) return undefined;
  return uploadCertificate(client, level, certificateNameForFile(file.fsPath), await vscode.workspace.fs.readFile(file), names);
}

/** Uploads `content` as certificate `name`; refuses names and contents the service would reject, and names already taken. */
export async function uploadCertificate(
  client: DestinationSource,
  level: DestinationLevel,
  name: string,
  content: Uint8Array,
  existing: readonly string[],
): Promise<string> {
  const record = certificateRecord(name, content);
  if (existing.includes(name)) {
    throw new BtpError(
      ErrorCode.AlreadyExists,
      `A certificate named "${name}" is uploaded already at the ${level} level; pick it from the list, or rename the file to upload a new one.`,
      { field: 'Name' },
    );
  }
  await client.createCertificate(level, record);
  return name;
}
