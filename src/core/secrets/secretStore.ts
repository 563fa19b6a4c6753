/**
 * Where credentials live. The core sees only this interface: the OS keychain (CLI and extension alike),
 * VS Code SecretStorage where no keychain is reachable (tests use a memory one,
 * test/support/memorySecretStore.ts). There is no file-backed implementation, on purpose.
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
