import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { certificateNameForFile, certificateRecord } from '../../core/certificates/certificateFiles';
import { firstCertificateOf, publicPartOf } from '../../core/certificates/publicPart';
import { deleteUnusedCertificate } from '../../core/certificates/references';
import { BtpError, ErrorCode } from '../../core/errors';
import { connectionOptions, connectionUsage, stringOption, type Command } from '../command';
import { withClient } from '../context';
import { ExitCode } from '../exitCodes';
import { line } from '../io';
import { formatTable } from '../table';
import { parseLevel } from '../destinationArgs';

const subcommands = ['list', 'upload', 'download', 'delete'] as const;

/** `btp-connect certificates list|upload|download|delete`: the Destination service's certificate store. */
export const certificatesCommand: Command = {
  name: 'certificates',
  summary: 'List, upload, download (public part) or delete Destination service certificates',
  usage: `Usage: btp-connect certificates list [--level subaccount|instance] [connection options]
       btp-connect certificates upload <file> [--name <name>] [--level …] [connection options]
       btp-connect certificates download <name> [--out <file>] [--level …] [connection options]
       btp-connect certificates delete <name> [--level …] [connection options]

  upload     .pem, .cer, .crt, .der (uploaded as .cer), .p12, .pfx or .jks; the name is the file's unless --name
  download   the certificates only (PEM), never a private key; to standard output unless --out. A PKCS#12
             keystore's certificates need its password: export them with openssl instead
  delete     refused (exit code 6) while a destination or fragment names the certificate in KeyStoreLocation,
             TrustStoreLocation or a prefixed form of them
  --level    subaccount (default) or instance

${connectionUsage}`,
  options: { ...connectionOptions, level: { type: 'string' }, name: { type: 'string' }, out: { type: 'string', short: 'o' } },
  subcommands,
  async run(values, positionals, io) {
    const [subcommand, argument] = positionals;
    if (!subcommands.includes(subcommand as (typeof subcommands)[number])) {
      throw new BtpError(ErrorCode.InvalidInput, `Name what to do: certificates ${subcommands.join('|')}.`, { field: 'subcommand' });
    }
    if (subcommand !== 'list' && !argument) {
      throw new BtpError(ErrorCode.InvalidInput, `certificates ${subcommand} needs a ${subcommand === 'upload' ? 'file' : 'certificate name'}.`, {
        field: subcommand === 'upload' ? 'file' : 'name',
      });
    }
    const level = parseLevel(values) ?? 'subaccount';
    const record =
      subcommand === 'upload'
        ? certificateRecord(stringOption(values, 'name') ?? certificateNameForFile(argument ?? ''), await readLocal(argument ?? '', io.cwd))
        : undefined;
    return withClient(values, io, async ({ client }) => {
      if (subcommand === 'list') {
        const certificates = await client.listCertificates(level);
        if (values.json) {
          line(
            io,
            JSON.stringify(
              certificates.map((certificate) => ({ name: certificate.Name, level, ...describe(certificate) })),
              null,
              2,
            ),
          );
          return ExitCode.Ok;
        }
        if (certificates.length === 0) line(io, `No certificates at ${level} level.`);
        else
          line(
            io,
            formatTable(
              ['NAME', 'TYPE', 'SUBJECT', 'EXPIRES'],
              certificates.map((certificate) => {
                const summary = describe(certificate);
                return [certificate.Name, summary.type, summary.subject ?? '', summary.expires ?? ''];
              }),
            ),
          );
        return ExitCode.Ok;
      }
      const name = argument ?? '';
      if (record) {
        await client.createCertificate(level, record);
        line(io, `Uploaded ${record.Name} at ${level} level.`);
        return ExitCode.Ok;
      }
      if (subcommand === 'delete') {
        await deleteUnusedCertificate(client, level, name);
        line(io, `Deleted ${name} at ${level} level.`);
        return ExitCode.Ok;
      }
      const part = publicPartOf(await client.getCertificate(level, name));
      if (part.kind === 'locked') throw new BtpError(ErrorCode.Unsupported, part.reason, { field: 'name' });
      const out = stringOption(values, 'out');
      if (!out) {
        io.stdout(part.pem);
        return ExitCode.Ok;
      }
      await writeFile(resolve(io.cwd, out), part.pem);
      line(io, `Wrote ${part.certificates.length} certificate${part.certificates.length === 1 ? '' : 's'} of ${name} to ${out} (no private key).`);
      return ExitCode.Ok;
    });
  },
};

function describe(certificate: { Name: string; Content: string }): { type: string; subject?: string; expires?: string } {
  const { format, first } = firstCertificateOf(certificate);
  return { type: format, ...(first ? { subject: first.subject, expires: first.validTo.toISOString().slice(0, 10) } : {}) };
}

async function readLocal(file: string, cwd: string): Promise<Buffer> {
  try {
    return await readFile(resolve(cwd, file));
  } catch (error) {
    throw new BtpError(ErrorCode.NotFound, `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}.`, { field: 'file' });
  }
}
