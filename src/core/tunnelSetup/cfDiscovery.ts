import type { CfApp, CfCli, CfTarget } from './cfCli';

/** A Connectivity service instance of the space. */
export interface ConnectivityInstance {
  readonly guid: string;
  readonly name: string;
  readonly plan: string;
}

/** An app bound to a Connectivity service instance, and whether `cf ssh` into it works. */
export interface BoundApp extends CfApp {
  readonly instance: string;
  readonly sshEnabled: boolean;
  /** Cloud Controller's reason when SSH is off: "ssh is disabled globally / for space '<s>' / for app". */
  readonly sshReason: string;
}

export interface CfDiscovery {
  readonly target: CfTarget;
  readonly spaceGuid: string;
  /** The space's `ssh` feature (`/v3/spaces/:guid/features/ssh`). */
  readonly spaceSsh: boolean;
  readonly instances: readonly ConnectivityInstance[];
  readonly apps: readonly BoundApp[];
}

interface Page<T> {
  readonly resources?: readonly T[];
  readonly included?: Record<string, readonly Record<string, unknown>[] | undefined>;
}

/** The Connectivity service's offering name in the marketplace (`cf marketplace -e connectivity`). */
export const CONNECTIVITY_OFFERING = 'connectivity';

/**
 * What the targeted space offers for a tunnel, read through the v3 API: the space's SSH feature, its Connectivity
 * service instances (a service instance list has no offering filter, so the offering's name comes with `fields`),
 * the apps bound to them, and for each whether SSH into it is enabled (`/v3/apps/:guid/ssh_enabled` covers the
 * global, space and app switches and says which one is off).
 */
export async function discoverCf(cf: CfCli, target: CfTarget, spaceGuid: string): Promise<CfDiscovery> {
  const feature = await cf.get<{ enabled?: boolean }>(`/v3/spaces/${spaceGuid}/features/ssh`);
  const instancesPage = await cf.get<Page<{ guid: string; name: string; relationships?: { service_plan?: { data?: { guid?: string } } } }>>(
    `/v3/service_instances?space_guids=${spaceGuid}&type=managed&fields[service_plan]=guid,name,relationships.service_offering&fields[service_plan.service_offering]=guid,name&per_page=5000`,
  );
  const plans = new Map((instancesPage.included?.service_plans ?? []).map((plan) => [String(plan.guid), plan]));
  const offerings = new Map((instancesPage.included?.service_offerings ?? []).map((offering) => [String(offering.guid), String(offering.name)]));
  const instances: ConnectivityInstance[] = [];
  for (const instance of instancesPage.resources ?? []) {
    const plan = plans.get(String(instance.relationships?.service_plan?.data?.guid));
    const offeringGuid = (plan?.relationships as { service_offering?: { data?: { guid?: string } } } | undefined)?.service_offering?.data?.guid;
    if (offerings.get(String(offeringGuid)) === CONNECTIVITY_OFFERING)
      instances.push({ guid: instance.guid, name: instance.name, plan: String(plan?.name ?? '') });
  }
  const apps: BoundApp[] = [];
  if (instances.length > 0) {
    const bindings = await cf.get<Page<{ relationships?: { app?: { data?: { guid?: string } }; service_instance?: { data?: { guid?: string } } } }>>(
      `/v3/service_credential_bindings?type=app&service_instance_guids=${instances.map((instance) => instance.guid).join(',')}&include=app&per_page=5000`,
    );
    const included = new Map((bindings.included?.apps ?? []).map((app) => [String(app.guid), app]));
    const seen = new Set<string>();
    for (const binding of bindings.resources ?? []) {
      const app = included.get(String(binding.relationships?.app?.data?.guid));
      const instance = instances.find((candidate) => candidate.guid === binding.relationships?.service_instance?.data?.guid);
      if (!app || !instance || seen.has(String(app.guid))) continue;
      seen.add(String(app.guid));
      const ssh = await cf.get<{ enabled?: boolean; reason?: string }>(`/v3/apps/${String(app.guid)}/ssh_enabled`, String(app.name));
      apps.push({
        guid: String(app.guid),
        name: String(app.name),
        state: String(app.state),
        instance: instance.name,
        sshEnabled: ssh.enabled === true,
        sshReason: ssh.reason ?? '',
      });
    }
  }
  return { target, spaceGuid, spaceSsh: feature.enabled === true, instances, apps: apps.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Why an app cannot carry a tunnel now, or undefined when it can. */
export function unusableBecause(app: BoundApp): string | undefined {
  if (!app.sshEnabled) return app.sshReason || 'ssh is disabled';
  if (app.state !== 'STARTED') return `it is ${app.state.toLowerCase()}`;
  return undefined;
}
