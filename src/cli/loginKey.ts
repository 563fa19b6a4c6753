import { resolve } from 'node:path';
import { parseServiceKeyText } from '../core/bindings/serviceKeyText';
import { readServiceKeyFile } from '../core/bindings/serviceKeyFile';
import type { XsuaaBinding } from '../core/bindings/types';
import { BtpError, ErrorCode, isBtpError } from '../core/errors';
import type { CliIo } from './io';

/**
 * An xsuaa service key of the user's app, from a file or `-` (standard input), for signing users in. Any other
 * kind is refused with the reason: only a client whose xs-security.json the user controls can list the loopback
 * redirect URI.
 */
export async function readLoginKey(spec: string, io: CliIo): Promise<XsuaaBinding> {
  const why = ' Sign-in needs the client of an xsuaa service instance of your application (its xs-security.json lists the redirect URI).';
  try {
    return spec === '-'
      ? (parseServiceKeyText(await io.readStdin(), { expected: 'xsuaa', source: 'standard input' }) as XsuaaBinding)
      : ((await readServiceKeyFile(resolve(io.cwd, spec), { expected: 'xsuaa' })) as XsuaaBinding);
  } catch (error) {
    if (!isBtpError(error, ErrorCode.BindingInvalid) || !error.issues.some((issue) => issue.problem === 'wrong_kind')) throw error;
    throw new BtpError(error.code, `${error.message}${why}`, { cause: error, field: 'login-key', issues: error.issues });
  }
}
