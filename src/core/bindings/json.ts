import { BtpError, ErrorCode } from '../errors';

/**
 * `JSON.parse` with an error that says where the JSON breaks (line, column) without quoting the text: V8's own
 * messages can carry a snippet of the input, which may be a secret.
 */

export const JSON_HINT =
  'A service key is JSON: names and strings in double quotes, no trailing commas, no comments. Check that the whole key was copied, up to its closing brace.';

export interface JsonContext {
  /** The thing parsed, capitalised: `The service key from file "/x/key.json"`, `VCAP_SERVICES`. */
  readonly subject: string;
  /** The whole text `json` was cut from, so that line and column refer to what the user has. */
  readonly fullText?: string;
  /** Where `json` starts inside `fullText`. */
  readonly offset?: number;
  readonly hint?: string;
}

export function parseJson(json: string, context: JsonContext): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw jsonError(json, error, context);
  }
}

function jsonError(json: string, error: unknown, context: JsonContext): BtpError {
  const raw = error instanceof Error ? error.message : String(error);
  let reason: string;
  let position: number;
  const located = /^(.*?) in JSON at position (\d+)/.exec(raw);
  if (located?.[1] !== undefined && located[2] !== undefined) {
    reason = located[1].replace(/^Unexpected token .*$/, 'Unexpected character');
    position = Number(located[2]);
  } else if (raw.startsWith('Unexpected end of JSON input')) {
    reason = json.trim() === '' ? 'There is no JSON' : 'The JSON ends early, so part of it is missing';
    position = json.length;
  } else {
    reason = 'Unexpected character';
    position = locateError(json);
  }
  if (position >= json.trimEnd().length && !reason.startsWith('The JSON ends early') && reason !== 'There is no JSON') {
    reason = `The JSON ends early, so part of it is missing (${reason.charAt(0).toLowerCase()}${reason.slice(1)})`;
  }
  const fullText = context.fullText ?? json;
  const absolute = Math.min((context.offset ?? 0) + position, fullText.length);
  const { line, column } = lineAndColumn(fullText, absolute);
  const control = /control character/i.test(reason) ? ' A string holds a raw line break or tab; inside JSON strings it must be written as \\n or \\t.' : '';
  const message = `${context.subject} is not valid JSON: ${reason} at line ${line}, column ${column} (character ${absolute + 1}).${control} ${context.hint ?? JSON_HINT}`;
  return new BtpError(ErrorCode.BindingInvalid, message, {
    issues: [{ field: 'json', problem: 'invalid_json', message }],
    details: { line, column, position: absolute },
  });
}

/**
 * Index of the first character that cannot continue valid JSON, for V8 messages without a position. A prefix is
 * "still fine" when it parses or fails only for ending early; that property is monotone, so bisect on it.
 */
function locateError(json: string): number {
  let good = 0;
  let bad = json.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (prefixIsFine(json.slice(0, middle))) good = middle;
    else bad = middle;
  }
  return bad - 1;
}

function prefixIsFine(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message.startsWith('Unexpected end of JSON input')) return true;
    const at = /at position (\d+)/.exec(message)?.[1];
    return at !== undefined && Number(at) >= prefix.length;
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: position - lineStart + 1 };
}
