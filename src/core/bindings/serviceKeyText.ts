import { BtpError, ErrorCode } from '../errors';
import { isPlainObject } from './issues';
import { mergeMeta, metaFromVcapEntry } from './meta';
import { parseJson } from './json';
import { parseCredentials } from './parseCredentials';
import { pickBinding } from './select';
import type { BindingMeta, ServiceBinding, ServiceKeyTextOptions } from './types';
import { bindingsFromVcapServices, isVcapShape } from './vcap';

/**
 * A service key as users paste or save it: the bare credentials JSON; `{"credentials": {...}}` (cf CLI v8,
 * btp CLI); the whole output of `cf service-key` including its "Getting key ..." header (v7 prints bare
 * credentials, v8 the wrapper); or a whole VCAP_SERVICES, from which one binding is picked.
 */
export function parseServiceKeyText(text: string, options: ServiceKeyTextOptions = {}): ServiceBinding {
  const source = options.source ?? 'the pasted text';
  const clean = text.replace(/^\uFEFF/, '');
  const subject = `The service key from ${source}`;
  const start = jsonStart(clean);
  if (start === undefined) {
    const message =
      clean.trim() === ''
        ? `${subject} is empty. Paste the service key JSON from the BTP cockpit or from \`cf service-key <instance> <key>\`.`
        : `${subject} holds no JSON object. Paste the service key JSON from the BTP cockpit or the whole output of \`cf service-key <instance> <key>\`.`;
    throw new BtpError(ErrorCode.BindingInvalid, message, {
      issues: [{ field: 'json', problem: clean.trim() === '' ? 'required' : 'invalid_json', message }],
    });
  }
  const parsed = parseJson(clean.slice(start).trimEnd(), { subject, fullText: clean, offset: start });
  if (!isPlainObject(parsed)) {
    return parseCredentials(parsed, { ...options, source });
  }
  const cfMeta = start > 0 ? metaFromCfHeader(clean.slice(0, start)) : undefined;

  const vcap = unwrapVcap(parsed);
  if (vcap !== undefined) {
    const bindings = bindingsFromVcapServices(vcap, { source });
    return pickBinding(bindings, { kind: options.expected, name: options.name, where: source });
  }
  if (isPlainObject(parsed.credentials) && parsed.clientid === undefined) {
    // Wrapper: cf v8 / btp CLI, or one VCAP_SERVICES entry ({name, label, plan, tags, credentials}).
    const meta = mergeMeta(cfMeta, metaFromVcapEntry(parsed, undefined), options.meta);
    return parseCredentials(parsed.credentials, { ...options, source, meta });
  }
  return parseCredentials(parsed, { ...options, source, meta: mergeMeta(cfMeta, options.meta) });
}

/** Index where the JSON starts: 0 for plain JSON, else the first line that begins with `{` (after a cf header). */
function jsonStart(text: string): number | undefined {
  const leading = /^\s*/.exec(text)?.[0].length ?? 0;
  if (text[leading] === '{' || text[leading] === '[') return leading;
  const line = /^[ \t]*\{/m.exec(text);
  return line === null ? undefined : line.index + (line[0].length - 1);
}

/** `Getting key my-key for service instance my-dest as user@example.com...` → key and instance name. */
function metaFromCfHeader(header: string): BindingMeta | undefined {
  const match = /Getting key (\S+) for service instance (\S+) as /.exec(header);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { name: unquote(match[1]), instanceName: unquote(match[2]) };
}

function unquote(name: string): string {
  return name.replace(/^['"]|['"]$/g, '');
}

/** The VCAP_SERVICES object in `parsed`, also when wrapped as `{"VCAP_SERVICES": ...}` or `{"system_env_json": ...}` (cf env output). */
function unwrapVcap(parsed: Record<string, unknown>): Record<string, unknown> | undefined {
  const systemEnv = parsed.system_env_json;
  const inner = isPlainObject(systemEnv) ? systemEnv.VCAP_SERVICES : parsed.VCAP_SERVICES;
  if (isPlainObject(inner)) return inner;
  return isVcapShape(parsed) ? parsed : undefined;
}
