import type { ConnectionStore } from '../connections/connectionStore';
import type { CreatedCfApp, SavedTunnelMode } from '../connections/savedTunnel';
import type { SetupPlan } from './setupPlan';
import type { TunnelSetupUi } from './setupUi';
import type { ToolRunner } from '../tunnel/toolRunner';

/** What a setup or removal works with; the CLI and the extension each build one. */
export interface SetupContext {
  readonly connection: string;
  readonly store: ConnectionStore;
  readonly runner: ToolRunner;
  readonly ui: TunnelSetupUi;
  /** Only build and return the plan: nothing is created, changed or saved. */
  readonly dryRun?: boolean;
}

export type SetupOutcome =
  | {
      readonly kind: 'saved';
      readonly mode: SavedTunnelMode;
      readonly plan: SetupPlan;
      readonly created?: CreatedCfApp;
      readonly importedCredentials?: boolean;
    }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'declined'; readonly plan: SetupPlan }
  | { readonly kind: 'dry-run'; readonly plan: SetupPlan };
