import { BtpError, ErrorCode } from '../errors';
import { redactText } from '../redact';
import type { ToolResult } from './toolRunner';

/**
 * What a failed `cf` or `kubectl` run means, by cause, with the fix. The texts matched are the tools' own (cf CLI v8:
 * `command/translatableerror`, Cloud Controller error details; kubectl: client-go's "Unable to connect to the
 * server", "Error from server (Forbidden)"); the message quotes the tool's last lines, redacted.
 */

interface Rule {
  readonly pattern: RegExp;
  readonly code: ErrorCode;
  readonly message: (said: string) => string;
}

const cfRules = (app?: string): Rule[] => [
  {
    pattern: /Not logged in|No API endpoint set|No api endpoint set/i,
    code: ErrorCode.CliNotLoggedIn,
    message: (said) =>
      `The cf CLI is not logged in (${said}). Log in with \`cf login --sso\` (or \`cf login -a https://api.cf.<region>.hana.ondemand.com --sso\`), target the space with \`cf target -o <org> -s <space>\`, then run the setup again.`,
  },
  {
    pattern: /token expired|was revoked|token ID is incorrect|Invalid Auth Token|CF-InvalidAuthToken|invalid_token/i,
    code: ErrorCode.CliLoginExpired,
    message: (said) => `The login of the cf CLI has expired (${said}). Log in again with \`cf login --sso\`, then run the setup again.`,
  },
  {
    pattern: /No org or space targeted|No space targeted|No org targeted/i,
    code: ErrorCode.CfNoTarget,
    message: (said) =>
      `The cf CLI targets no space (${said}). Choose the space of the Connectivity service with \`cf target -o <org> -s <space>\`, then run the setup again.`,
  },
  {
    pattern: /quota_exceeded|memory limit exceeded|exceeded your (?:organization|space)'s memory limit|exceeded the instance memory limit/i,
    code: ErrorCode.QuotaExceeded,
    message: (said) =>
      `Cloud Foundry refused the memory the tunnel app needs (${said}). Free memory in the space or org (\`cf apps\`; \`cf stop\` or \`cf scale -m\` an app you do not need), or ask an org manager for more quota, then run the setup again.`,
  },
  {
    pattern: /Error opening SSH connection/i,
    code: ErrorCode.SshDisabledApp,
    message: (said) =>
      `Cloud Foundry refused the SSH connection to ${app ? `app "${app}"` : 'the app'} (${said}): SSH is disabled for the app or for its space. Enable it: \`cf enable-ssh ${app ?? '<app>'}\` and \`cf restart ${app ?? '<app>'}\` (for the space a space manager runs \`cf allow-space-ssh <space>\`).`,
  },
  {
    pattern:
      /Start unsuccessful|All instances crashed|Start app timeout|Error staging application|is not in the STARTED state|Instance \d+ of process \S+ not running/i,
    code: ErrorCode.TunnelAppCrashed,
    message: (said) =>
      `${app ? `App "${app}"` : 'The app'} does not run (${said}). See why with \`cf logs ${app ?? '<app>'} --recent\`; start it with \`cf start ${app ?? '<app>'}\`.`,
  },
  {
    pattern: /not authorized to perform the requested action|CF-NotAuthorized/i,
    code: ErrorCode.Forbidden,
    message: (said) =>
      `Cloud Foundry refused the request (${said}): creating and changing apps needs the Space Developer role in the targeted space. Ask a space manager for it, or target a space where you have it.`,
  },
  {
    pattern: /App '[^']*' not found|not found/i,
    code: ErrorCode.NotFound,
    message: (said) => `Cloud Foundry did not find it (${said}). Check \`cf target\` and the names (\`cf apps\`, \`cf services\`).`,
  },
];

const kubectlRules = (context?: string, namespace?: string): Rule[] => {
  const inContext = context ? ` (context "${context}")` : '';
  const ns = namespace ?? '<namespace>';
  return [
    {
      pattern: /You must be logged in to the server|\(Unauthorized\)|Unauthorized/,
      code: ErrorCode.CliNotLoggedIn,
      message: (said) =>
        `kubectl is not logged in to the cluster${inContext} (${said}). Log in again: a Kyma kubeconfig signs in through the browser on the next kubectl command (\`kubectl get namespaces${context ? ` --context=${context}` : ''}\`), or download a fresh kubeconfig from the Kyma environment in the BTP cockpit.`,
    },
    {
      pattern: /context "[^"]*" does not exist|no context exists with the name|current-context is not set/i,
      code: ErrorCode.InvalidInput,
      message: (said) => `kubectl has no such context (${said}). \`kubectl config get-contexts -o name\` lists the contexts of your kubeconfig.`,
    },
    {
      pattern: /Unable to connect to the server|dial tcp|no such host|connection refused|i\/o timeout|TLS handshake timeout|context deadline exceeded/i,
      code: ErrorCode.KubeUnreachable,
      message: (said) =>
        `The cluster${inContext} cannot be reached (${said}). Check the network and VPN, and that the cluster still exists; for Kyma, a fresh kubeconfig comes from the Kyma environment in the BTP cockpit.`,
    },
    {
      pattern: /Error from server \(Forbidden\)|is forbidden: User/i,
      code: ErrorCode.KubeForbidden,
      message: (said) =>
        `Kubernetes RBAC refused the request${inContext} (${said}). The tunnel needs to get configmaps, services and secrets and to create pods/portforward in namespace "${ns}"; ask a cluster administrator for a Role and RoleBinding with these verbs there (Kyma gives its creator cluster-admin).`,
    },
    {
      pattern: /Error from server \(NotFound\)|NotFound/,
      code: ErrorCode.NotFound,
      message: (said) => `Kubernetes did not find it${inContext} (${said}).`,
    },
  ];
};

/** A failed `cf` run as a coded error; `app` names the app in fixes. */
export function cfFailure(command: string, result: ToolResult, app?: string): BtpError {
  return classify('cf', command, result, cfRules(app));
}

/** A failed `kubectl` run as a coded error. */
export function kubectlFailure(command: string, result: ToolResult, context?: string, namespace?: string): BtpError {
  return classify('kubectl', command, result, kubectlRules(context, namespace));
}

/** Classifies a Cloud Controller error answer (`cf curl` prints it and exits 0): `{"errors":[{"code","title","detail"}]}`. */
export function ccFailure(path: string, errors: readonly { title?: unknown; detail?: unknown; code?: unknown }[], app?: string): BtpError {
  const said = errors.map((error) => `${String(error.title ?? '')}: ${String(error.detail ?? '')}`).join('; ');
  const rules = [
    {
      pattern: /CF-NotAuthenticated|CF-InvalidAuthToken/,
      code: ErrorCode.CliLoginExpired,
      message: (text: string) => `Cloud Foundry did not accept the cf CLI's login (${text}). Log in again with \`cf login --sso\`, then run the setup again.`,
    },
    ...cfRules(app),
  ];
  return classify('cf', `curl ${path}`, { code: 0, stdout: '', stderr: said }, rules);
}

function classify(tool: string, command: string, result: ToolResult, rules: readonly Rule[]): BtpError {
  // stdout may hold credentials (kubectl get secret) or JSON; only stderr is quoted, and only its last lines.
  const said = lastLines(result.stderr) || `exit code ${result.code ?? 'none'}`;
  const rule = rules.find((candidate) => candidate.pattern.test(result.stderr));
  const details = { tool, command: `${tool} ${command}`, ...(result.code === null ? {} : { exitCode: result.code }) };
  if (rule) return new BtpError(rule.code, rule.message(said), { details });
  return new BtpError(ErrorCode.ServiceError, `\`${tool} ${command}\` failed: ${said}.`, { details });
}

/** The tool's last meaningful lines, one line of text, without the CLI's "FAILED" marker. */
function lastLines(text: string): string {
  const lines = redactText(text)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'FAILED' && !line.startsWith('TIP:'));
  const joined = lines.slice(-3).join(' ');
  return joined.length > 400 ? `…${joined.slice(-400)}` : joined;
}
