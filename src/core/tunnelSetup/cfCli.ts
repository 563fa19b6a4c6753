import { BtpError, ErrorCode } from '../errors';
import { ccFailure, cfFailure } from '../tunnel/toolErrors';
import { missing, type ToolResult, type ToolRunner } from '../tunnel/toolRunner';

/** `cf target` as the cf CLI v7/v8 prints it (`command/v7/target_command.go`: a key-value table). */
export interface CfTarget {
  readonly api: string;
  readonly user: string;
  readonly org: string;
  readonly space: string;
}

export interface CfApp {
  readonly guid: string;
  readonly name: string;
  /** `STARTED` or `STOPPED` (v3 app object). */
  readonly state: string;
}

/**
 * The cf CLI as the setup uses it: its version and target, and the v3 API through `cf curl` (JSON, not tables).
 * `cf curl` prints Cloud Controller errors as JSON and exits 0 (without `--fail`), so the body is checked for them.
 */
export class CfCli {
  constructor(private readonly runner: ToolRunner) {}

  /** `cf version` → "cf version 8.7.10+5b7ce3c.2024-04-04"; v6 lacks the v3 commands the setup needs. */
  async checkVersion(): Promise<string> {
    const result = await this.runner.run('cf', ['version']);
    const version = /version (\d+)\.(\d+)\.(\d+)\S*/.exec(result.stdout);
    if (result.code !== 0 || !version) throw cfFailure('version', result);
    if (Number(version[1]) < 7) {
      throw new BtpError(
        ErrorCode.ToolMissing,
        `The cf CLI is version ${version[0].slice('version '.length)}; the tunnel setup needs v7 or later (v8 recommended): ${missing('cf').message.replace(/^"cf" was not found: /, '')}`,
        { details: { tool: 'cf' } },
      );
    }
    return version[0].slice('version '.length);
  }

  /** Who is logged in where; fails with the cause when not logged in or no space is targeted. */
  async target(): Promise<CfTarget> {
    const result = await this.runner.run('cf', ['target']);
    if (result.code !== 0) throw cfFailure('target', result);
    const value = (key: string) => new RegExp(`^${key}:\\s+(.+)$`, 'mi').exec(result.stdout)?.[1]?.trim();
    const api = value('API endpoint') ?? '';
    const org = value('org');
    const space = value('space');
    // v7+ prints these two hints on stdout and exits 0.
    if (!org || !space || /No (?:org or )?space targeted/i.test(result.stdout)) {
      throw cfFailure('target', { code: 1, stdout: '', stderr: /No org/i.test(result.stdout) || !org ? 'No org or space targeted' : 'No space targeted' });
    }
    return { api, user: value('user') ?? '', org, space };
  }

  /** `cf space <name> --guid` prints the GUID alone. */
  async spaceGuid(space: string): Promise<string> {
    const result = await this.run(['space', space, '--guid']);
    const guid = result.stdout.trim();
    if (!/^[0-9a-f-]{8,}$/i.test(guid)) throw cfFailure(`space ${space} --guid`, { ...result, stderr: `unexpected output "${guid.slice(0, 80)}"` });
    return guid;
  }

  /** GET on the v3 API; Cloud Controller errors become coded errors. */
  async get<T>(path: string, app?: string): Promise<T> {
    const result = await this.runner.run('cf', ['curl', path]);
    if (result.code !== 0) throw cfFailure(`curl ${path}`, result, app);
    let body: unknown;
    try {
      body = JSON.parse(result.stdout);
    } catch {
      throw new BtpError(ErrorCode.ServiceError, `\`cf curl ${path}\` did not print JSON: ${result.stdout.slice(0, 120)}`, { details: { tool: 'cf' } });
    }
    const errors = (body as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) throw ccFailure(path, errors as { title?: unknown; detail?: unknown }[], app);
    return body as T;
  }

  /** The app of that name in the space, if there is one. */
  async app(name: string, spaceGuid: string): Promise<CfApp | undefined> {
    const list = await this.get<{ resources?: CfApp[] }>(`/v3/apps?names=${encodeURIComponent(name)}&space_guids=${spaceGuid}`, name);
    const found = list.resources?.[0];
    return found ? { guid: found.guid, name: found.name, state: found.state } : undefined;
  }

  /** Runs a cf command that changes something; fails with its cause. */
  async run(args: readonly string[], options: { timeoutMs?: number; app?: string } = {}): Promise<ToolResult> {
    const result = await this.runner.run('cf', args, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
    if (result.code !== 0) throw cfFailure(args.join(' '), result, options.app);
    return result;
  }
}
