import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/log';
import { CONFIG_FILE_NAME, ConfigError, formatCloudConnectorFile, parseCloudConnectorFile, type CloudConnectorFile } from './configFile';
import { upgradeRetiredSamples } from './sandboxMappings';

export const CONFIG_STATE_FILE_NAME = 'cloud-connector.state.json';

/**
 * What a running sandbox last did with `cloud-connector.json`: written after every reading, removed when the
 * sandbox stops. `sha256` is the hash of the file's bytes it read, so that a command that wrote the file knows when
 * its own version was taken (`applied`) or refused (`rejected`, with the field at fault).
 */
export interface ConfigState {
  readonly pid: number;
  readonly sha256: string;
  readonly status: 'applied' | 'rejected';
  readonly error?: string;
  readonly field?: string;
  /** The configuration in force (the last good one after a rejection). */
  readonly config: CloudConnectorFile;
  /** The sandbox's Destination service, once it listens: how a client tells that a service key is this sandbox's. */
  readonly destinationServiceUrl?: string;
}

export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Keeps the sandbox's connectors in step with `cloud-connector.json` in its folder: writes the defaults on a first
 * start, applies each valid change, and keeps the last good configuration when a change is invalid (logging the
 * field at fault). Readings are serialised; an editor's several write events for one save settle in `settleMs`.
 */
export class CloudConnectorConfigWatcher {
  private readonly path: string;
  private readonly statePath: string;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastSha = '';
  private current: CloudConnectorFile;
  private closed = false;
  private destinationServiceUrl: string | undefined;
  private lastState: Omit<ConfigState, 'pid' | 'config'> | undefined;

  constructor(
    private readonly directory: string,
    private readonly apply: (file: CloudConnectorFile) => Promise<void>,
    defaults: CloudConnectorFile,
    private readonly logger: Logger,
    private readonly settleMs = 30,
  ) {
    this.path = join(directory, CONFIG_FILE_NAME);
    this.statePath = join(directory, CONFIG_STATE_FILE_NAME);
    this.current = defaults;
  }

  /** The configuration in force. */
  get config(): CloudConnectorFile {
    return this.current;
  }

  /**
   * Reads the file (writing the defaults if there is none) and returns the configuration to start with: the file's,
   * or the defaults when the file is invalid (logged). `watch()` then follows its changes.
   */
  async load(): Promise<CloudConnectorFile> {
    let text: string | undefined;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      text = formatCloudConnectorFile(this.current);
      await writeFile(this.path, text, { mode: 0o600 });
    }
    try {
      const { file, upgraded } = upgradeRetiredSamples(parseCloudConnectorFile(text));
      if (upgraded.length > 0) {
        text = formatCloudConnectorFile(file);
        await writeFile(this.path, text, { mode: 0o600 });
        this.logger.info(
          `${CONFIG_FILE_NAME}: ${upgraded.join(' and ')} mapped to the line service as written by an earlier version; now the sandbox's directory and mail server`,
        );
      }
    } catch {
      // An invalid file is reported below, as it is.
    }
    const sha = sha256Of(text);
    try {
      this.current = parseCloudConnectorFile(text);
      this.lastSha = sha;
      await this.writeState({ sha256: sha, status: 'applied' });
    } catch (error) {
      this.logger.error(`${CONFIG_FILE_NAME}: ${(error as Error).message}; using the built-in access control until the file is corrected`);
      await this.writeState({ sha256: sha, status: 'rejected', ...describe(error) });
    }
    return this.current;
  }

  /** Follows changes of the file; call once the connectors run. */
  watch(): void {
    // The folder, not the file: editors and `sandbox expose` replace the file by renaming a new one over it.
    this.watcher = watch(this.directory, (_event, name) => {
      if (name === null || name === CONFIG_FILE_NAME) this.schedule();
    });
    this.watcher.on('error', (error) => this.logger.warn(`watching ${CONFIG_FILE_NAME} stopped: ${error.message}`));
  }

  /** Reads the file again now (what a change event leads to); resolves once applied or rejected. */
  reload(): Promise<void> {
    this.chain = this.chain.then(() => this.readAndApply()).catch((error: unknown) => this.logger.error(`${CONFIG_FILE_NAME}: ${(error as Error).message}`));
    return this.chain;
  }

  /** Names the sandbox's Destination service in the state file (written again). */
  announce(destinationServiceUrl: string): Promise<void> {
    this.destinationServiceUrl = destinationServiceUrl;
    this.chain = this.chain.then(() => (this.lastState ? this.writeState(this.lastState) : undefined));
    return this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    await this.chain;
    await rm(this.statePath, { force: true });
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.settleMs);
  }

  private async readAndApply(): Promise<void> {
    if (this.closed) return;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // between an editor's delete and write
      throw error;
    }
    const sha = sha256Of(text);
    if (sha === this.lastSha) return;
    this.lastSha = sha;
    let parsed: CloudConnectorFile;
    try {
      parsed = parseCloudConnectorFile(text);
    } catch (error) {
      this.logger.error(`${CONFIG_FILE_NAME} not applied, the last good access control stays: ${(error as Error).message}`);
      await this.writeState({ sha256: sha, status: 'rejected', ...describe(error) });
      return;
    }
    await this.apply(parsed);
    this.current = parsed;
    this.logger.info(
      `${CONFIG_FILE_NAME} applied: ${parsed.connectors.map((item) => `${item.locationId || '(no location ID)'} ${item.mappings.length} mapping(s)`).join(', ')}`,
    );
    await this.writeState({ sha256: sha, status: 'applied' });
  }

  private async writeState(state: Omit<ConfigState, 'pid' | 'config'>): Promise<void> {
    if (this.closed) return;
    this.lastState = state;
    const full: ConfigState = {
      pid: process.pid,
      ...state,
      config: this.current,
      ...(this.destinationServiceUrl ? { destinationServiceUrl: this.destinationServiceUrl } : {}),
    };
    const temporary = `${this.statePath}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.statePath);
  }
}

function describe(error: unknown): { error: string; field?: string } {
  return error instanceof ConfigError ? { error: error.message, field: error.field } : { error: (error as Error).message };
}
