/**
 * Where credentials live. The core sees only this interface: the OS keychain (CLI and extension alike),
 * VS Code SecretStorage where no keychain is reachable, or memory in tests. There is no file-backed
 * implementation, on purpose.
 */
import type { SecretKey } from './secretKeys';

export interface SecretStore {
  /** Shown to the user, e.g. "OS keychain (Secret Service)". */
  readonly description: string;
  get(key: SecretKey): Promise<string | undefined>;
  set(key: SecretKey, value: string): Promise<void>;
  /** Deleting a key that does not exist is not an error. */
  delete(key: SecretKey): Promise<void>;
}

export class MemorySecretStore implements SecretStore {
  readonly description = 'memory (tests only)';
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }
}
