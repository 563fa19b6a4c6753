import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BtpError, ErrorCode } from '../errors';
import { OutboundNetwork } from './outbound';
import type { ProxySettings } from './proxySettings';
import { splitPem } from './systemCertificates';
import { Trust, type CaSource } from './trust';

/** What the CLI (flags, environment) or the extension (VS Code settings) says about the network, before files are read. */
export interface NetworkConfig {
  readonly proxy?: ProxySettings;
  /** CA files to trust besides the defaults, each with the option or setting that named it. */
  readonly caFiles?: readonly CaFileSetting[];
  /** Also trust the OS store (`--no-system-ca` / `http.systemCertificates: false` turn it off). */
  readonly systemCa?: boolean;
  /** NODE_EXTRA_CA_CERTS and SSL_CERT_FILE come from here. */
  readonly env: NodeJS.ProcessEnv;
}

export interface CaFileSetting {
  readonly path: string;
  /** The error's `field`: `ca`, `btpConnect.http.caFile`. */
  readonly field: string;
  /** How messages name it: `--ca`, `btpConnect.http.caFile`. */
  readonly label: string;
}

/**
 * Reads the CA files and checks the proxy URLs. A CA file that cannot be read or holds no certificate is an
 * error naming its option; an unreadable NODE_EXTRA_CA_CERTS is not (Node itself only warns about it).
 */
export async function loadNetwork(config: NetworkConfig): Promise<OutboundNetwork> {
  const extra: CaSource[] = [];
  const nodeExtra = config.env.NODE_EXTRA_CA_CERTS;
  if (nodeExtra) {
    extra.push(
      await readFile(nodeExtra, 'utf8').then(
        (text) => ({ source: `NODE_EXTRA_CA_CERTS ${nodeExtra}`, pems: splitPem(text) }),
        (error: unknown) => ({ source: `NODE_EXTRA_CA_CERTS ${nodeExtra} unreadable (${(error as NodeJS.ErrnoException).code ?? String(error)})`, pems: [] }),
      ),
    );
  }
  for (const file of config.caFiles ?? []) extra.push(await readCaFile(file));
  return new OutboundNetwork({
    ...(config.proxy ? { proxy: config.proxy } : {}),
    trust: new Trust({ extra, systemCa: config.systemCa === true, env: config.env }),
  });
}

/** A PEM file of CA certificates, each checked, for `--ca` and `btpConnect.http.caFile`. */
export async function readCaFile({ path, field, label }: CaFileSetting): Promise<CaSource> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new BtpError(ErrorCode.InvalidInput, `Cannot read the CA file ${path} (${label}): ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      field,
    });
  });
  const pems = splitPem(text);
  if (pems.length === 0) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `The CA file ${path} (${label}) holds no PEM certificate: it needs "-----BEGIN CERTIFICATE-----" blocks (convert DER with \`openssl x509 -inform der -in ca.cer -out ca.pem\`).`,
      { field },
    );
  }
  for (const [index, pem] of pems.entries()) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new BtpError(ErrorCode.InvalidInput, `Certificate ${index + 1} in the CA file ${path} (${label}) is not a valid X.509 certificate.`, { field });
    }
  }
  return { source: `${label} ${path}`, pems };
}
