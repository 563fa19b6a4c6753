import { setUpCfTunnel, type CfSetupOptions } from './cfSetup';
import { platformOf, type Platform } from './hint';
import { setUpKymaTunnel, type KymaSetupOptions } from './kymaSetup';
import type { SetupContext, SetupOutcome } from './setupContext';

export type { Platform } from './hint';

export interface SetupOptions {
  /** Undefined: ask. */
  readonly platform?: Platform;
  readonly cf?: CfSetupOptions;
  readonly kyma?: KymaSetupOptions;
}

/** The one setup flow behind `btp-connect tunnel setup` and VS Code's "Set Up Tunnel…". */
export async function setUpTunnel(ctx: SetupContext, options: SetupOptions = {}): Promise<SetupOutcome> {
  // The connectivity key's proxy host tells where it runs (CF's internal name, a cluster's .svc name): the default.
  const likely = options.platform ? undefined : platformOf((await ctx.store.load(ctx.connection)).connectivity);
  const platform =
    options.platform ??
    (await ctx.ui.ask<Platform>({
      id: 'platform',
      title: `Where does the connectivity proxy of connection "${ctx.connection}" run?`,
      choices: [
        {
          label: 'Cloud Foundry',
          description: 'cf ssh through an app bound to the Connectivity service',
          value: 'cf',
          ...(likely === 'cf' ? { default: true } : {}),
        },
        {
          label: 'Kyma / Kubernetes',
          description: 'kubectl port-forward to the connectivity-proxy Service',
          value: 'kyma',
          ...(likely === 'kyma' ? { default: true } : {}),
        },
      ],
      flag: '--cf or --kyma',
    }));
  if (!platform) return { kind: 'cancelled' };
  return platform === 'cf' ? setUpCfTunnel(ctx, options.cf) : setUpKymaTunnel(ctx, options.kyma);
}
