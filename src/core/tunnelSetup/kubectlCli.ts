import { BtpError, ErrorCode } from '../errors';
import { kubectlFailure } from '../tunnel/toolErrors';
import type { ToolRunner } from '../tunnel/toolRunner';

/** kubectl as the Kyma setup uses it: contexts, and `get … -o json` in one context and namespace. */
export class KubectlCli {
  constructor(private readonly runner: ToolRunner) {}

  /** `kubectl version --client` answers without a cluster: only the program is checked. */
  async checkInstalled(): Promise<void> {
    const result = await this.runner.run('kubectl', ['version', '--client']);
    if (result.code !== 0) throw kubectlFailure('version --client', result);
  }

  /** `kubectl config get-contexts -o name`: one context name per line. */
  async contexts(): Promise<string[]> {
    const result = await this.runner.run('kubectl', ['config', 'get-contexts', '-o', 'name']);
    if (result.code !== 0) throw kubectlFailure('config get-contexts -o name', result);
    return result.stdout
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }

  /** The current context, or undefined where kubectl says "error: current-context is not set". */
  async currentContext(): Promise<string | undefined> {
    const result = await this.runner.run('kubectl', ['config', 'current-context']);
    return result.code === 0 ? result.stdout.trim() || undefined : undefined;
  }

  /** `kubectl get <kind> <name> -o json`; undefined on NotFound, a coded error for every other failure. */
  async get<T>(kind: 'configmap' | 'service' | 'secret', name: string, context: string, namespace: string): Promise<T | undefined> {
    const args = ['get', kind, name, `--context=${context}`, `--namespace=${namespace}`, '-o', 'json'];
    const result = await this.runner.run('kubectl', args);
    if (result.code !== 0) {
      if (/Error from server \(NotFound\)/.test(result.stderr)) return undefined;
      throw kubectlFailure(args.join(' '), result, context, namespace);
    }
    try {
      return JSON.parse(result.stdout) as T;
    } catch {
      // Never quote stdout: for secrets it is the credentials.
      throw new BtpError(ErrorCode.ServiceError, `\`kubectl get ${kind} ${name}\` did not print JSON.`, { details: { tool: 'kubectl' } });
    }
  }
}
