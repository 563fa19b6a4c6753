/**
 * Picking a key store or trust store for a destination property: one of the certificates uploaded at the level,
 * or a file the user uploads now (it goes to the Destination service's certificate store, not to the draft).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { DestinationSource } from '../../core/destinationService/source';
import type { DestinationLevel } from '../../core/destinationService/types';
import { BtpError, ErrorCode } from '../../core/errors';

const upload = (): string => vscode.l10n.t('$(cloud-upload) Upload a file…');
const certificateFiles = () => ({ [vscode.l10n.t('Key and trust stores')]: ['p12', 'pfx', 'jks', 'pem', 'crt', 'cer', 'der', 'p7b'] });
/** The Destination service's certificate names: file names with these characters only (spec §3.5). */
const CERTIFICATE_NAME = /^[A-Za-z0-9_.-]{1,200}$/;

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
  return uploadCertificate(client, level, basename(file.fsPath), await vscode.workspace.fs.readFile(file), names);
}

/** Uploads `content` as certificate `name`; refuses names the service would reject and names already taken. */
export async function uploadCertificate(
  client: DestinationSource,
  level: DestinationLevel,
  name: string,
  content: Uint8Array,
  existing: readonly string[],
): Promise<string> {
  if (!CERTIFICATE_NAME.test(name)) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `The file name "${name}" cannot be a certificate name: use letters, digits, ".", "_" and "-" only; rename the file and upload it again.`,
      { field: 'Name' },
    );
  }
  if (existing.includes(name)) {
    throw new BtpError(
      ErrorCode.AlreadyExists,
      `A certificate named "${name}" is uploaded already at the ${level} level; pick it from the list, or rename the file to upload a new one.`,
      { field: 'Name' },
    );
  }
  await client.createCertificate(level, { Name: name, Content: Buffer.from(content).toString('base64') });
  return name;
}
