import * as vscode from 'vscode';
import { KeychainSecretStore } from '../../../src/core/secrets/keychainStore';
import type { BtpConnectApi } from '../../../src/extension/extension';

/** The activated extension's API (its context), for assertions on real state inside the extension host. */
export async function extensionApi(): Promise<BtpConnectApi> {
  const extension = vscode.extensions.getExtension<BtpConnectApi | undefined>('btp-connect.btp-connect');
  if (!extension) throw new Error('BTP Connect is not loaded in this extension host');
  const api = await extension.activate();
  if (!api) throw new Error('BTP Connect failed to activate; see its log');
  return api;
}

/** Resolves when `condition` holds, checked on each event of `event` (no polling, no sleeps). */
export function when<T>(event: vscode.Event<T>, condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const subscription = event(() => {
      if (!condition()) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}

/**
 * A secret as it lies where this pass expects the extension to keep it, read there directly rather than through the
 * extension's own store: the OS keychain entry the CLI shares, or, in the fallback pass, VS Code's SecretStorage of
 * the extension's context (keys prefixed `btp-connect:`).
 */
export async function storedSecret(api: BtpConnectApi, key: string): Promise<string | undefined> {
  if (process.env.BTP_CONNECT_EXPECT_KEYCHAIN === '1') return new KeychainSecretStore().get(key);
  return api.ctx.context.secrets.get(`btp-connect:${key}`);
}
