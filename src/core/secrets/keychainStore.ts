import { BtpError, ErrorCode } from '../errors';
import type { SecretStore } from './secretStore';

/** The keychain service name both the CLI and the extension use, so a connection made in one serves the other. */
export const KEYCHAIN_SERVICE = 'btp-connect';

// Windows Credential Manager caps a secret at 2560 bytes; a private key PEM is longer. There, values above this
// size are split into numbered chunk entries behind a small header entry. Secret Service and the macOS Keychain
// have no such cap, and every entry read is a call of its own (on Linux a D-Bus round trip, ~9 ms, one at a time):
// they keep a value whole. Chunked values of earlier versions are read on every platform.
const windowsChunkSize = 1800;
const chunkHeader = 'btp-connect-chunks:';

export interface KeychainOptions {
  /** Values longer than this are split (default: 1800 on Windows, never elsewhere). */
  readonly chunkSize?: number;
  /** Whose default chunk size applies (tests); this process's platform by default. */
  readonly platform?: NodeJS.Platform;
}

interface KeyringEntry {
  setPassword(password: string): Promise<void>;
  getPassword(): Promise<string | null>;
  deleteCredential(): Promise<boolean>;
}

type EntryFactory = (service: string, account: string) => KeyringEntry;

/**
 * Secrets in the OS keychain through `@napi-rs/keyring` (Secret Service on Linux, Keychain on macOS,
 * Credential Manager on Windows). The native module is loaded on first use, not at import; when it or the
 * keychain is unavailable every call fails with `KeychainUnavailable` and a fix, never with a fallback.
 */
export class KeychainSecretStore implements SecretStore {
  readonly description = 'OS keychain';
  private factory: EntryFactory | undefined;

  private readonly chunkSize: number;

  constructor(
    private readonly service = KEYCHAIN_SERVICE,
    factory?: EntryFactory,
    options: KeychainOptions = {},
  ) {
    this.factory = factory;
    this.chunkSize = options.chunkSize ?? ((options.platform ?? process.platform) === 'win32' ? windowsChunkSize : Number.POSITIVE_INFINITY);
  }

  async get(key: string): Promise<string | undefined> {
    const head = await this.call('read', () => this.entry(key).getPassword());
    if (head === null) return undefined;
    if (!head.startsWith(chunkHeader)) return head;
    const count = Number(head.slice(chunkHeader.length));
    const parts: string[] = [];
    for (let index = 0; index < count; index++) {
      const part = await this.call('read', () => this.entry(`${key}#${index}`).getPassword());
      if (part === null) {
        throw new BtpError(
          ErrorCode.KeychainUnavailable,
          `The keychain entry "${key}" is incomplete (part ${index + 1} of ${count} is missing); store the secret again.`,
        );
      }
      parts.push(part);
    }
    return parts.join('');
  }

  async set(key: string, value: string): Promise<void> {
    const previous = await this.call('read', () => this.entry(key).getPassword());
    const previousParts = previous?.startsWith(chunkHeader) ? Number(previous.slice(chunkHeader.length)) : 0;
    const chunkSize = this.chunkSize;
    let parts = 0;
    // Written over the entry, not deleted and created again: the macOS Keychain keeps the item's access list, so the
    // other app (CLI or extension) is not asked again.
    if (value.length <= chunkSize && !value.startsWith(chunkHeader)) {
      await this.call('write', () => this.entry(key).setPassword(value));
    } else {
      parts = Math.max(1, Math.ceil(value.length / chunkSize));
      // Parts first, header last: a reader never sees a header whose parts are not all written.
      for (let index = 0; index < parts; index++) {
        await this.call('write', () => this.entry(`${key}#${index}`).setPassword(value.slice(index * chunkSize, (index + 1) * chunkSize)));
      }
      await this.call('write', () => this.entry(key).setPassword(`${chunkHeader}${parts}`));
    }
    // The parts of a longer earlier value that this one does not use.
    for (let index = parts; index < previousParts; index++) await this.call('delete', () => this.entry(`${key}#${index}`).deleteCredential());
  }

  async delete(key: string): Promise<void> {
    const head = await this.call('read', () => this.entry(key).getPassword());
    if (head === null) return;
    await this.call('delete', () => this.entry(key).deleteCredential());
    if (head.startsWith(chunkHeader)) {
      const count = Number(head.slice(chunkHeader.length));
      for (let index = 0; index < count; index++) await this.call('delete', () => this.entry(`${key}#${index}`).deleteCredential());
    }
  }

  private entry(account: string): KeyringEntry {
    this.factory ??= loadKeyring();
    return this.factory(this.service, account);
  }

  private async call<T>(action: 'read' | 'write' | 'delete', operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof BtpError) throw error;
      throw keychainError(action, error);
    }
  }
}

function loadKeyring(): EntryFactory {
  let module: { AsyncEntry: new (service: string, account: string) => KeyringEntry };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require('@napi-rs/keyring') as typeof module;
  } catch (error) {
    throw new BtpError(
      ErrorCode.KeychainUnavailable,
      `The OS keychain module (@napi-rs/keyring) could not be loaded on ${process.platform}-${process.arch}; install BTP Connect built for this platform (the .vsix for ${process.platform}-${process.arch}, or the CLI installed by npm on this machine).`,
      { cause: error },
    );
  }
  return (service, account) => new module.AsyncEntry(service, account);
}

function keychainError(action: string, error: unknown): BtpError {
  const detail = error instanceof Error ? error.message : String(error);
  const linuxHint =
    process.platform === 'linux'
      ? ' On Linux a Secret Service must run and be unlocked (gnome-keyring or KWallet in a desktop session; headless: dbus-run-session with gnome-keyring-daemon --unlock).'
      : '';
  return new BtpError(
    ErrorCode.KeychainUnavailable,
    `Could not ${action} the OS keychain: ${detail}.${linuxHint} Secrets are never written to a file instead.`,
    {
      cause: error,
    },
  );
}
