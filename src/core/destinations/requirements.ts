/** Shared "required" rules: one issue per missing property, naming it, its context and what to set. */
import { DestinationProblem, type DestinationView, type IssueList } from './checks';
import { propertySpec } from './properties';

/** Adds `required` issues for every name of `names` that `view` lacks; `context` completes "is required …". */
export function requireAll(view: DestinationView, out: IssueList, names: readonly string[], context: string): void {
  for (const name of names) {
    if (view.has(name)) continue;
    const spec = propertySpec(name);
    const help = spec?.description?.replace(/\.$/, '');
    const what = spec === undefined ? '' : ` (${spec.label}${help === undefined ? '' : `: ${help}`})`;
    const state = view.present(name) ? 'is empty' : 'is missing';
    out.error(name, DestinationProblem.Required, `${name} ${state} but is required ${context}; set it${what}.`);
  }
}

/** Adds one `required` issue (on the first name) when none of `names` is set. */
export function requireOneOf(view: DestinationView, out: IssueList, names: readonly string[], context: string): void {
  if (names.some((name) => view.has(name))) return;
  const [first = ''] = names;
  const state = view.present(first) ? 'is empty' : 'is missing';
  out.error(first, DestinationProblem.Required, `${first} ${state} but ${context} needs one of ${names.join(', ')}; set one of them.`);
}
