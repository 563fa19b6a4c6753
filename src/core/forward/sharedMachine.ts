import { readdirSync } from 'node:fs';

/** `auto` turns the local token on where loopback is shared with other people; `on`/`off` decide outright. */
export type LocalTokenMode = 'auto' | 'on' | 'off';

export interface SharedMachineProbe {
  readonly env: NodeJS.ProcessEnv;
  /** Numeric entries of /run/user: one per user with a login session (systemd-logind). */
  readonly runtimeUsers?: () => readonly string[];
  /** VS Code's `env.remoteName` when the extension host runs on another machine. */
  readonly remoteName?: string;
}

/**
 * Why this machine's loopback is probably shared with other users, or undefined when it is not (AC-06). Heuristics,
 * on purpose cheap and local: an SSH session or a VS Code remote host, or more than one logged-in user.
 */
export function sharedMachineReason(probe: SharedMachineProbe): string | undefined {
  if (probe.remoteName === 'ssh-remote' || probe.remoteName === 'tunnel') return `VS Code runs on a remote host (${probe.remoteName})`;
  if (probe.env.SSH_CONNECTION || probe.env.SSH_CLIENT) return 'this is an SSH session';
  const users = (probe.runtimeUsers ?? linuxRuntimeUsers)().filter((entry) => /^\d+$/.test(entry));
  if (users.length > 1) return `${users.length} users are logged in`;
  return undefined;
}

export function requireLocalToken(mode: LocalTokenMode, probe: SharedMachineProbe): { readonly required: boolean; readonly reason: string } {
  if (mode === 'on') return { required: true, reason: 'the setting says so' };
  if (mode === 'off') return { required: false, reason: 'the setting says so' };
  const reason = sharedMachineReason(probe);
  return reason ? { required: true, reason } : { required: false, reason: 'this machine does not look shared' };
}

function linuxRuntimeUsers(): string[] {
  if (process.platform !== 'linux') return [];
  try {
    return readdirSync('/run/user');
  } catch {
    return [];
  }
}
