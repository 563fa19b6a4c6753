import { readFile } from 'node:fs/promises';
import { BtpError, ErrorCode } from '../errors';
import { parseServiceKeyText } from './serviceKeyText';
import type { ServiceBinding, ServiceKeyTextOptions } from './types';

/** Reads a service key file (any shape `parseServiceKeyText` accepts); every error names the file. */
export async function readServiceKeyFile(path: string, options: ServiceKeyTextOptions = {}): Promise<ServiceBinding> {
  const text = await readTextFile(path, 'Service key file');
  return parseServiceKeyText(text, { ...options, source: options.source ?? `file "${path}"` });
}

/**
 * A UTF-8 file's text. ENOENT → `BindingNotFound`; a directory, missing permission or other failure →
 * `BindingInvalid`; `what` starts the message (`Service key file`, `VCAP_SERVICES_FILE_PATH file`).
 */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new BtpError(ErrorCode.BindingNotFound, `${what} "${path}" does not exist. Check the path.`, {
        field: 'path',
        details: { path },
      });
    }
    const reason =
      code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read: permission denied'
          : `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
    throw new BtpError(ErrorCode.BindingInvalid, `${what} "${path}" ${reason}.`, { cause: error, field: 'path', details: { path } });
  }
}
