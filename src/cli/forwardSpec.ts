import { BtpError, ErrorCode } from '../core/errors';

export interface ParsedSpec {
  readonly name: string;
  /** The destination fragment merged into the destination (`<destination>+<fragment>`). */
  readonly fragment?: string;
  readonly port: number;
}

const syntax = '<destination>[+<fragment>][:<port>]';

/**
 * `<destination>[+<fragment>][:<port>]`, or `*` for every destination on one port; port 0 (or none) lets the system
 * pick. `+` separates the fragment because names (letters, digits, "_" and "-") never contain it, nor a ":".
 */
export function parseSpec(text: string): ParsedSpec {
  const match = /^([A-Za-z0-9_-]{1,200}|\*)(?:\+([A-Za-z0-9_-]{1,200}))?(?::([0-9]{1,5}))?$/.exec(text);
  const port = Number(match?.[3] ?? 0);
  if (!match?.[1] || port > 65_535) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `"${text}" is not ${syntax} (a destination name, optionally "+" and a fragment name, optionally a port up to 65535).`,
      { field: 'name' },
    );
  }
  if (match[1] === '*' && match[2] !== undefined) {
    throw new BtpError(ErrorCode.InvalidInput, `"${text}": one port for all destinations takes the fragment per request (X-Fragment-Name), not in the spec.`, {
      field: 'fragment',
    });
  }
  return { name: match[1], ...(match[2] === undefined ? {} : { fragment: match[2] }), port };
}

/**
 * The forwards the command line asks for: the positional specs, `--all` as `*`, and `--port` / `--fragment`, which
 * each go with exactly one named destination that does not give its own.
 */
export function parseSpecs(positionals: readonly string[], options: { all: boolean; port?: string; fragment?: string }): ParsedSpec[] {
  const specs = positionals.map(parseSpec);
  const only = specs.length === 1 ? specs[0] : undefined;
  if (options.fragment !== undefined) {
    if (!only || options.all || only.fragment !== undefined)
      throw new BtpError(ErrorCode.InvalidInput, '--fragment goes with exactly one destination; for several use <destination>+<fragment>.', {
        field: 'fragment',
      });
    specs[0] = parseSpec(`${only.name}+${options.fragment}:${only.port}`);
  }
  if (options.all) specs.unshift(parseSpec(`*:${options.port ?? 0}`));
  else if (options.port !== undefined) {
    const one = specs.length === 1 ? specs[0] : undefined;
    if (!one || one.port)
      throw new BtpError(ErrorCode.InvalidInput, '--port goes with exactly one destination; for several use <name>:<port>.', { field: 'port' });
    specs[0] = { ...one, port: parseSpec(`${one.name}:${options.port}`).port };
  }
  return specs;
}
