import { BtpError, ErrorCode } from '../errors';
import { withArticle } from './detect';
import { capitalise } from './issues';
import type { BindingOfKind, ServiceBinding, ServiceKind } from './types';

/** Picking the one binding a caller needs out of several (VCAP_SERVICES, SERVICE_BINDING_ROOT, pasted VCAP). */

/**
 * The single binding of `kind` (named `name` by binding or instance name, when given). None → `BindingNotFound`
 * naming the kind and `where`; several and no name → `BindingInvalid` listing the names to choose from.
 */
export function selectBinding<K extends ServiceKind>(
  bindings: readonly ServiceBinding[],
  kind: K,
  name?: string,
  where = 'the given bindings',
): BindingOfKind<K> {
  return pickBinding(bindings, { kind, name, where }) as BindingOfKind<K>;
}

export interface PickOptions {
  /** Any of the three kinds when absent. */
  readonly kind?: ServiceKind | undefined;
  readonly name?: string | undefined;
  /** Where the bindings came from, for messages: `VCAP_SERVICES`, `SERVICE_BINDING_ROOT "/bindings"`. */
  readonly where: string;
}

export function pickBinding(bindings: readonly ServiceBinding[], options: PickOptions): ServiceBinding {
  const { kind, name, where } = options;
  const what = kind === undefined ? 'destination, connectivity or xsuaa binding' : `${kind} binding`;
  const candidates = kind === undefined ? [...bindings] : bindings.filter((binding) => binding.kind === kind);
  if (candidates.length === 0) {
    const others = bindings.length === 0 ? '' : ` It has only: ${bindings.map(describe).join(', ')}.`;
    const fix = kind === undefined ? 'a service key of one of these services' : `${withArticle(kind)} service key`;
    throw new BtpError(ErrorCode.BindingNotFound, `No ${what} found in ${where}.${others} Bind the service to the app or use ${fix}.`, {
      details: { kind, where },
    });
  }
  if (name !== undefined) {
    const named = candidates.filter((binding) => binding.meta?.name === name || binding.meta?.instanceName === name);
    const exact = named.filter((binding) => binding.meta?.name === name);
    const chosen = exact.length === 1 ? exact : named;
    if (chosen.length === 0) {
      throw new BtpError(ErrorCode.BindingNotFound, `No ${what} named "${name}" in ${where}. The ${what}s there are: ${candidates.map(describe).join(', ')}.`, {
        details: { kind, name, where, choices: candidates.map(label) },
      });
    }
    if (chosen.length > 1) throw ambiguous(chosen, what, where, `named "${name}"`);
    return chosen[0] as ServiceBinding;
  }
  if (candidates.length > 1) throw ambiguous(candidates, what, where, '');
  return candidates[0] as ServiceBinding;
}

function ambiguous(candidates: readonly ServiceBinding[], what: string, where: string, qualifier: string): BtpError {
  const suffix = qualifier === '' ? '' : ` ${qualifier}`;
  return new BtpError(
    ErrorCode.BindingInvalid,
    `${capitalise(where)} has ${candidates.length} ${what}s${suffix}: ${candidates.map(describe).join(', ')}. Say which one to use by its binding name.`,
    { details: { where, choices: candidates.map(label) } },
  );
}

/** The name a user would type to choose the binding. */
function label(binding: ServiceBinding): string {
  return binding.meta?.name ?? binding.meta?.instanceName ?? '(unnamed)';
}

/** `"my-dest-binding" (destination, instance "my-dest")`. */
function describe(binding: ServiceBinding): string {
  const instance = binding.meta?.instanceName;
  const extra = instance !== undefined && instance !== label(binding) ? `, instance "${instance}"` : '';
  return `"${label(binding)}" (${binding.kind}${extra})`;
}
