import { BtpError, ErrorCode } from '../core/errors';

/** `<destination>[:<port>]`, or `*` for every destination on one port; port 0 (or none) lets the system pick. */
export function parseSpec(text: string): { name: string; port: number } {
  const match = /^([A-Za-z0-9_-]{1,200}|\*)(?::([0-9]{1,5}))?$/.exec(text);
  const port = Number(match?.[2] ?? 0);
  if (!match?.[1] || port > 65_535) {
    throw new BtpError(ErrorCode.InvalidInput, `"${text}" is not <destination>[:<port>] (a destination name, optionally a port up to 65535).`, {
      field: 'name',
    });
  }
  return { name: match[1], port };
}
