import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isBtpError } from '../core/errors';
import { loadNetwork, type NetworkConfig } from '../core/http/network';
import { OutboundNetwork } from '../core/http/outbound';
import { proxySettingsFromEnv, type ProxySettings } from '../core/http/proxySettings';
import { Setting, type SettingReader } from './base/config';

/** The settings the network is built from: VS Code's own (http.*) and the extension's CA file. */
export const NetworkSetting = {
  proxy: 'http.proxy',
  noProxy: 'http.noProxy',
  proxyStrictSSL: 'http.proxyStrictSSL',
  proxyAuthorization: 'http.proxyAuthorization',
  systemCertificates: 'http.systemCertificates',
  caFile: Setting.httpCaFile,
} as const;

/**
 * VS Code's proxy settings over the environment, as VS Code itself reads them: http.proxy (else HTTPS_PROXY /
 * HTTP_PROXY), NO_PROXY plus http.noProxy, http.proxyAuthorization, http.proxyStrictSSL; trust = Node's CAs +
 * NODE_EXTRA_CA_CERTS + the OS store (http.systemCertificates, on by default as in VS Code) + btpConnect.http.caFile.
 */
export function networkConfig(read: SettingReader, env: NodeJS.ProcessEnv): NetworkConfig {
  const fromEnv = proxySettingsFromEnv(env);
  const proxy = text(read(NetworkSetting.proxy));
  const authorization = text(read(NetworkSetting.proxyAuthorization));
  const noProxy = [fromEnv.noProxy, ...strings(read(NetworkSetting.noProxy))].filter((entry) => entry !== undefined && entry !== '').join(',');
  const settings: ProxySettings = {
    ...(proxy ? { httpsProxy: { value: proxy, name: NetworkSetting.proxy }, httpProxy: { value: proxy, name: NetworkSetting.proxy } } : {}),
    ...(!proxy && fromEnv.httpsProxy ? { httpsProxy: fromEnv.httpsProxy } : {}),
    ...(!proxy && fromEnv.httpProxy ? { httpProxy: fromEnv.httpProxy } : {}),
    ...(noProxy ? { noProxy } : {}),
    ...(authorization ? { authorization: { value: authorization, name: NetworkSetting.proxyAuthorization } } : {}),
    strictSsl: read(NetworkSetting.proxyStrictSSL) !== false,
  };
  const caFile = text(read(NetworkSetting.caFile));
  return {
    proxy: settings,
    caFiles: caFile ? [{ path: expandHome(caFile), field: NetworkSetting.caFile, label: NetworkSetting.caFile }] : [],
    systemCa: read(NetworkSetting.systemCertificates) !== false,
    env,
  };
}

/**
 * The extension's network. A setting that is wrong (a CA file that cannot be read, a proxy URL that is none)
 * must not stop the extension: it is reported and left out, and the rest applies.
 */
export async function extensionNetwork(read: SettingReader, env: NodeJS.ProcessEnv, report: (problem: string) => void): Promise<OutboundNetwork> {
  let config = networkConfig(read, env);
  const relative = config.caFiles?.find((file) => !isAbsolute(file.path));
  if (relative) {
    report(
      `${NetworkSetting.caFile} "${relative.path}" is not an absolute path: give the full path of the PEM file (~/ works). BTP Connect goes on without it.`,
    );
    config = { ...config, caFiles: [] };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await loadNetwork(config);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const field = isBtpError(error) ? error.field : undefined;
      if (field === NetworkSetting.caFile && config.caFiles?.length) {
        report(`${message} BTP Connect goes on without it.`);
        config = { ...config, caFiles: [] };
      } else if (config.proxy && (config.proxy.httpsProxy || config.proxy.httpProxy)) {
        report(`${message} BTP Connect goes on without a proxy.`);
        config = { ...config, proxy: {} };
      } else {
        report(message);
        break;
      }
    }
  }
  return new OutboundNetwork();
}

/** True when a configuration change touches one of the network's settings. */
export function affectsNetwork(affects: (section: string) => boolean): boolean {
  return Object.values(NetworkSetting).some((key) => affects(key));
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `~/corp-ca.pem` as people write it; other relative paths have no folder to be relative to. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') || path.startsWith('~\\') ? join(homedir(), path.slice(1)) : path;
}
