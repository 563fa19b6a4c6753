/**
 * Validation of destination fragments: the property checks of a destination (validate.ts), with FragmentName as
 * the key. Browser-safe, like validate.ts.
 */
import { validationError, type ValidationIssue } from '../errors';
import { DestinationProblem, IssueList, urlProblem } from './checks';
import { DESTINATION_NAME_PATTERN, type DestinationProperties } from './model';
import { checkProperties, isJsonObject, ROOT_FIELD } from './validate';

/**
 * Every problem of `input` as a destination fragment: `FragmentName` is its key (the rules of a destination's Name),
 * nothing else is required, since a fragment only overrides properties of the destination it is merged into; every
 * property it sets gets the checks a destination's would (values, URLs, header names, spelling). It cannot set
 * `Name`: the merged destination keeps its own.
 */
export function validateFragment(input: unknown): ValidationIssue[] {
  const out = new IssueList();
  if (!isJsonObject(input)) {
    out.error(
      ROOT_FIELD,
      DestinationProblem.NotObject,
      'The fragment must be a JSON object mapping property names to string values, e.g. {"FragmentName": "other-url", "URL": "https://…"}; pass such an object.',
    );
    return out.issues;
  }
  const view = checkProperties(input, out);
  const name = view.get('FragmentName');
  if (!view.has('FragmentName')) {
    const state = view.present('FragmentName') ? 'is empty' : 'is missing';
    out.error(
      'FragmentName',
      DestinationProblem.Required,
      `FragmentName ${state} but is required; set a name of letters, digits, "_" and "-" (at most 200 characters).`,
    );
  } else if (name !== undefined && !DESTINATION_NAME_PATTERN.test(name)) {
    const why = name.length > 200 ? 'is longer than 200 characters' : 'may contain only letters, digits, "_" and "-"';
    out.error('FragmentName', DestinationProblem.InvalidName, `FragmentName ${why}; rename the fragment (e.g. "other-backend_1").`);
  }
  // A destination's Type checks its URL; a fragment has none, and its URL replaces an HTTP destination's.
  const url = view.get('URL');
  const bad = url === undefined ? undefined : urlProblem(url, ['http', 'https']);
  if (bad !== undefined) out.error('URL', bad.problem, `URL ${bad.why}; set an absolute https:// (or http://) URL with a host.`);
  if (view.present('Name')) {
    out.error('Name', DestinationProblem.Misplaced, 'A fragment cannot set Name: the destination it is merged into keeps its own; remove Name.');
  }
  return out.issues;
}

/** `input` as wire-form properties when it has no error-severity issue as a fragment; otherwise throws `BTP_INVALID_INPUT`. */
export function assertValidFragment(input: unknown): DestinationProperties {
  const errors = validateFragment(input).filter((issue) => issue.severity !== 'warning');
  const name = isJsonObject(input) && Object.hasOwn(input, 'FragmentName') ? input.FragmentName : undefined;
  const subject = typeof name === 'string' && DESTINATION_NAME_PATTERN.test(name) ? `Fragment "${name}"` : 'Fragment';
  if (errors.length > 0) throw validationError(subject, errors);
  return { ...(input as DestinationProperties) };
}
