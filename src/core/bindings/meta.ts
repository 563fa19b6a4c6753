import { SERVICE_KINDS, type BindingMeta, type ServiceKind } from './types';

/** Binding metadata (name, instance, label, plan, tags) as VCAP_SERVICES and K8s bindings give it. */

/** Merges metadata; later sources win, but an `undefined` never overwrites a value. */
export function mergeMeta(...metas: readonly (BindingMeta | undefined)[]): BindingMeta | undefined {
  const out: Record<string, unknown> = {};
  for (const meta of metas) {
    for (const [name, value] of Object.entries(meta ?? {})) if (value !== undefined) out[name] = value;
  }
  return Object.keys(out).length === 0 ? undefined : (out as BindingMeta);
}

/** `{ name, instance_name, label, plan, tags }` of one VCAP_SERVICES entry (or a `{ credentials }` wrapper). */
export function metaFromVcapEntry(entry: Record<string, unknown>, outerLabel: string | undefined): BindingMeta | undefined {
  return mergeMeta({
    name: stringOrUndefined(entry.name) ?? stringOrUndefined(entry.binding_name),
    instanceName: stringOrUndefined(entry.instance_name),
    label: stringOrUndefined(entry.label) ?? outerLabel,
    plan: stringOrUndefined(entry.plan),
    tags: tagList(entry.tags),
  });
}

/** The service kind a label names, else the first tag that names one, else `undefined`. */
export function kindFromLabelOrTags(label: string | undefined, tags: readonly string[] | undefined): ServiceKind | undefined {
  const fromLabel = asKind(label);
  if (fromLabel !== undefined) return fromLabel;
  for (const tag of tags ?? []) {
    const fromTag = asKind(tag);
    if (fromTag !== undefined) return fromTag;
  }
  return undefined;
}

function asKind(value: string | undefined): ServiceKind | undefined {
  const lower = value?.trim().toLowerCase();
  return SERVICE_KINDS.find((kind) => kind === lower);
}

export function tagList(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((tag): tag is string => typeof tag === 'string');
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
