import type * as vscode from 'vscode';
import { BtpError, ErrorCode, isBtpError } from '../core/errors';
import type { Logger } from '../core/log';
import { KeychainSecretStore } from '../core/secrets/keychainStore';
import type { SecretKey } from '../core/secrets/secretKeys';
import type { SecretStore } from '../core/secrets/secretStore';

/** VS Code's SecretStorage as a core SecretStore: the fallback where no OS keychain is reachable. */
export class SecretStorageStore implements SecretStore {
  readonly description = 'VS Code SecretStorage (no OS keychain reachable)';

  constructor(
    private readonly storage: vscode.SecretStorage,
    /** Why the OS keychain was not used, for the status bar. */
    readonly reason = '',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return this.storage.get(`btp-connect:${key}`);
  }

  async set(key: string, value: string): Promise<void> {
    await this.storage.store(`btp-connect:${key}`, value);
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete(`btp-connect:${key}`);
  }
}

/**
 * The OS keychain (shared with the CLI) when it answers; otherwise VS Code's SecretStorage, which remote and
 * web extension hosts provide. Never a file.
 */
export async function chooseSecretStore(storage: vscode.SecretStorage, logger: Logger): Promise<SecretStore> {
  const keychain = new KeychainSecretStore();
  try {
    // A locked or absent Secret Service may still answer reads: only a write proves the keychain is usable.
    const probe = `probe/extension/${process.pid}`;
    await keychain.set(probe, 'ok');
    const readBack = await keychain.get(probe);
    await keychain.delete(probe);
    if (readBack !== 'ok') throw new BtpError(ErrorCode.KeychainUnavailable, 'The OS keychain did not return what was stored.');
    return keychain;
  } catch (error) {
    if (!isBtpError(error, ErrorCode.KeychainUnavailable)) throw error;
    logger.warn(`OS keychain unavailable, using VS Code SecretStorage: ${error.message}`);
    return new SecretStorageStore(storage, error.message);
  }
}

/**
 * The store `chooseSecretStore` picks, chosen after activation instead of during it: the keychain probe (loading
 * the native module, a write, a read and a delete over D-Bus or the Keychain) must not block VS Code's start-up.
 * Every secret operation waits for the choice, so nothing is ever read from or written to the wrong place, and
 * there is still no file fallback.
 */
export class DeferredSecretStore implements SecretStore {
  /** The chosen store; rejects (every operation with it) when the probe failed in an unexpected way. */
  readonly chosen: Promise<SecretStore>;
  private store: SecretStore | undefined;

  constructor(choose: () => Promise<SecretStore>) {
    // A turn of the event loop later: the probe's synchronous part (loading the keychain module) runs after
    // activate() has returned.
    this.chosen = new Promise<void>((resolve) => setImmediate(resolve)).then(choose).then((store) => (this.store = store));
  }

  /** What the chosen store says; while it is being chosen, that it is. */
  get description(): string {
    return this.store?.description ?? 'OS keychain (being checked)';
  }

  async get(key: SecretKey): Promise<string | undefined> {
    return (await this.chosen).get(key);
  }

  async set(key: SecretKey, value: string): Promise<void> {
    await (await this.chosen).set(key, value);
  }

  async delete(key: SecretKey): Promise<void> {
    await (await this.chosen).delete(key);
  }
}
