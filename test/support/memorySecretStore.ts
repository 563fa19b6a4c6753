import type { SecretStore } from '../../src/core/secrets/secretStore';

/** A secret store in memory, for tests: what the keychain would hold, readable back through `keys()`. */
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
