import { formatTunnelMode } from '../tunnel/tunnelMode';
import type { SavedTunnelMode } from '../connections/savedTunnel';

/** One command a plan runs, shown to the user before it runs. */
export interface PlannedCommand {
  readonly tool: 'cf' | 'kubectl';
  readonly args: readonly string[];
  /** Why, in a few words: "create the app, no route, not started". */
  readonly why: string;
}

/**
 * What a setup or a removal will change, shown before anything changes: the commands in order, what an app costs,
 * secrets it copies into the keychain, and the tunnel it saves for the connection.
 */
export interface SetupPlan {
  readonly action: 'create' | 'remove' | 'use';
  readonly connection: string;
  /** Where: `org "my-org" / space "dev" (https://api.cf…)`, or for `use` what is used: an app, a cluster's proxy. */
  readonly where: string;
  readonly commands: readonly PlannedCommand[];
  /** Memory and disk the created app holds while it runs. */
  readonly cost?: { readonly memoryMb: number; readonly diskMb: number };
  /** Credentials read from the cluster and stored in the keychain as the connection's connectivity key. */
  readonly imports?: { readonly secret: string; readonly namespace: string };
  /** The tunnel saved for the connection afterwards; undefined when the plan forgets it. */
  readonly mode?: SavedTunnelMode;
}

/** A command line as a person would type it: arguments with spaces or shell characters quoted. */
export function commandLine(command: PlannedCommand): string {
  return [command.tool, ...command.args.map(quote)].join(' ');
}

function quote(arg: string): string {
  return /^[\w@%+=:,./[\]<>-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The plan as lines of text, the same in the terminal and in VS Code's confirmation. */
export function describePlan(plan: SetupPlan): string[] {
  const lines: string[] = [];
  if (plan.action === 'create') lines.push(`Creates a tunnel app in ${plan.where}, with these commands:`);
  else if (plan.action === 'remove') lines.push(`Removes what BTP Connect created in ${plan.where}, with these commands:`);
  else lines.push(`Uses ${plan.where}.`);
  for (const command of plan.commands) lines.push(`  ${commandLine(command)}    # ${command.why}`);
  if (plan.cost) {
    lines.push(
      `It costs ${plan.cost.memoryMb} MB of memory and ${plan.cost.diskMb} MB of disk of the space's quota while it runs (one instance, no route); staging it counts the platform's minimum staging memory for a moment.`,
    );
  }
  if (plan.imports)
    lines.push(
      `Reads secret "${plan.imports.secret}" in namespace "${plan.imports.namespace}" (the connectivity proxy's service key) and stores it in the keychain as the connection's connectivity key.`,
    );
  if (plan.mode) lines.push(`Then connection "${plan.connection}" reaches the connectivity proxy through tunnel ${formatTunnelMode(plan.mode)}.`);
  else if (plan.action === 'remove') lines.push(`Then connection "${plan.connection}" has no tunnel any more.`);
  return lines;
}
