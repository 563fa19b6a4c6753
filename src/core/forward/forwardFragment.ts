import type { FindOptions } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { destinationNamePattern } from './transparentContract';

// A forward is a destination plus, optionally, a fragment merged into it on every lookup (X-fragment-name).

/** Refuses what is no fragment name, naming the option it came from (`fragment`, or the CLI's `--fragment`). */
export function checkFragmentName(name: string, field = 'fragment'): string {
  if (!destinationNamePattern.test(name)) {
    throw new BtpError(ErrorCode.InvalidInput, `"${name}" is no fragment name: use letters, digits, "_" and "-" (at most 200).`, { field });
  }
  return name;
}

/** The find-destination inputs of a forward's fragment; checked here so that a bad name fails before a port is bound. */
export function fragmentFindOptions(spec: { readonly fragment?: string; readonly fragmentOptional?: boolean }): FindOptions {
  if (spec.fragment === undefined) {
    if (spec.fragmentOptional !== undefined) throw new BtpError(ErrorCode.InvalidInput, 'fragmentOptional needs a fragment.', { field: 'fragmentOptional' });
    return {};
  }
  return { fragmentName: checkFragmentName(spec.fragment), ...(spec.fragmentOptional === undefined ? {} : { fragmentOptional: spec.fragmentOptional }) };
}

/** How logs and lists name a forward: `my-api`, or `my-api+my-fragment` (the CLI's spec syntax). */
export function forwardLabel(forward: { readonly destination: string; readonly fragment?: string }): string {
  return forward.fragment === undefined ? forward.destination : `${forward.destination}+${forward.fragment}`;
}
