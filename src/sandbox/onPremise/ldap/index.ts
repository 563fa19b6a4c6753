import { constants, existsSync } from 'node:fs';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../core/log';
import { listenOnLoopback, type LoopbackListener } from '../../http/loopback';
import { ConnectorGate, refusalText } from '../gate/connectorGate';
import type { OnPremiseNetwork } from '../gate/network';
import { LdapResult, noticeOfDisconnection } from './notice';
import { startSlapd, type Slapd } from './slapd';

export const defaultSlapdPath = '/usr/sbin/slapd';

/** Where slapd is found without `slapdPath`: Debian, Ubuntu, Fedora and SUSE; FreeBSD; Homebrew (Apple silicon, Intel). */
const slapdCandidates = [defaultSlapdPath, '/usr/local/libexec/slapd', '/opt/homebrew/opt/openldap/libexec/slapd', '/usr/local/opt/openldap/libexec/slapd'];

export interface OnPremiseDirectoryOptions {
  readonly network: OnPremiseNetwork;
  readonly logger: Logger;
  /** OpenLDAP's slapd; default the first of /usr/sbin/slapd (Debian's `slapd` package) and other usual places. */
  readonly slapdPath?: string;
  /** The sandbox folder: slapd runs in `<folder>/ldap`. Without one (in-memory sandbox) in a temporary folder. */
  readonly sandboxFolder?: string;
}

export interface OnPremiseDirectory {
  /** The loopback port of the directory's gate; 0 without slapd, so that connections fail as to a system that is down. */
  readonly port: number;
  /** Set when there is no directory: why, and how to get one (the sandbox prints it once). */
  readonly unavailable?: string;
  /** Starts slapd now instead of at the first connection; resolves once it listens, rejects with its stderr lines. */
  ready(): Promise<void>;
  /** The running slapd's process id, once started. */
  readonly slapdPid: number | undefined;
  close(): Promise<void>;
}

/**
 * The sandbox's on-premise LDAP directory: OpenLDAP's slapd (see `slapd.ts`), started at the first connection.
 * slapd cannot check the Cloud Connector's proof (a PROXY v2 header), so it listens on no TCP port at all, only on a
 * Unix socket in a folder of the sandbox's user; what the connector reaches is a `ConnectorGate` on a loopback port
 * that admits the connector's connections and relays them to that socket. Anything else gets an LDAP Notice of
 * Disconnection that names the way in.
 */
export async function startOnPremiseDirectory(options: OnPremiseDirectoryOptions): Promise<OnPremiseDirectory> {
  const slapdPath = options.slapdPath ?? slapdCandidates.find((path) => existsSync(path)) ?? defaultSlapdPath;
  const missing = await whyNotRunnable(slapdPath);
  if (missing) {
    const unavailable = `No on-premise LDAP directory: ${missing}. Install OpenLDAP's server (apt install slapd) and start the sandbox again; until then ldap.virtual:389 (onprem-ldap) is unreachable.`;
    options.logger.warn(unavailable);
    return { port: 0, unavailable, slapdPid: undefined, ready: () => Promise.reject(new Error(unavailable)), close: () => Promise.resolve() };
  }
  const directory = new GatedDirectory(slapdPath, options);
  await directory.listen();
  return directory;
}

async function whyNotRunnable(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return `${path} is not a program`;
    await access(path, constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? `slapd is not installed (no ${path})` : `${path} cannot be run (${(error as Error).message})`;
  }
}

class GatedDirectory implements OnPremiseDirectory {
  port = 0;
  private listener: LoopbackListener | undefined;
  private leave: () => void = () => undefined;
  private readonly gate: ConnectorGate;
  private readonly upstreams = new Set<Socket>();
  private starting: Promise<Slapd> | undefined;
  private running: Slapd | undefined;
  private folder: string | undefined;
  private closed = false;

  constructor(
    private readonly slapdPath: string,
    private readonly options: OnPremiseDirectoryOptions,
  ) {
    this.gate = new ConnectorGate({ network: options.network, refusal: noticeOfDisconnection(LdapResult.unwillingToPerform, refusalText) });
  }

  async listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => this.gate.accept(socket, (admitted) => this.relay(admitted)));
    this.listener = await listenOnLoopback(server, 0);
    this.port = this.listener.port;
    this.leave = this.options.network.register(this.port);
  }

  get slapdPid(): number | undefined {
    return this.running?.pid;
  }

  ready(): Promise<void> {
    return this.slapd().then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leave();
    this.gate.close();
    for (const socket of this.upstreams) socket.destroy();
    await this.listener?.close();
    const slapd = await this.starting?.catch(() => undefined);
    await slapd?.stop();
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
  }

  /** slapd, started once; after a crash the next connection starts it again, after a failed start never. */
  private slapd(): Promise<Slapd> {
    if (this.closed) return Promise.reject(new Error('The sandbox is stopping'));
    this.starting ??= this.launch();
    return this.starting;
  }

  private async launch(): Promise<Slapd> {
    const logger = this.options.logger;
    const began = performance.now();
    this.folder ??= await runtimeFolder(this.options.sandboxFolder);
    let slapd: Slapd;
    try {
      slapd = await startSlapd({ slapdPath: this.slapdPath, folder: this.folder, logger });
    } catch (error) {
      logger.error(`The on-premise LDAP directory could not start: ${(error as Error).message}`);
      throw error;
    }
    logger.info(`slapd listens on ${slapd.socketPath} (started in ${Math.round(performance.now() - began)} ms)`);
    const current = this.starting;
    this.running = slapd;
    void slapd.exited.then(({ exit, lines }) => {
      if (this.running === slapd) this.running = undefined;
      if (this.closed) return;
      logger.error(
        `slapd ended unexpectedly (code ${exit.code ?? '-'}, signal ${exit.signal ?? '-'}); the next LDAP connection starts it again${lines.length ? `: ${lines.join(' | ')}` : ''}`,
      );
      if (this.starting === current) this.starting = undefined;
    });
    return slapd;
  }

  /** An admitted connection (paused, positioned after the connector's header) to slapd's socket, both ways. */
  private relay(client: Socket): void {
    client.on('error', () => client.destroy());
    this.slapd().then(
      (slapd) => {
        if (client.destroyed) return;
        const upstream = connect({ path: slapd.socketPath, allowHalfOpen: true });
        this.upstreams.add(upstream);
        upstream.once('connect', () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
        upstream.on('error', (error) => {
          if (upstream.connecting) this.refuse(client, `the sandbox's LDAP directory does not answer (${error.message})`);
          else client.destroy();
        });
        upstream.once('close', () => {
          this.upstreams.delete(upstream);
          if (!client.writableEnded) client.destroy();
        });
        client.once('close', () => upstream.destroy());
      },
      (error: Error) => this.refuse(client, `the sandbox's LDAP directory could not start: ${error.message}`),
    );
  }

  private refuse(client: Socket, message: string): void {
    if (client.destroyed) return;
    client.resume();
    client.end(noticeOfDisconnection(LdapResult.unavailable, message));
  }
}

/**
 * Where slapd runs: `<sandbox>/ldap`, or a temporary folder for an in-memory sandbox, and also when that path would
 * not fit a Unix socket address (about 100 bytes) or slapd.conf's quoting.
 */
async function runtimeFolder(sandboxFolder: string | undefined): Promise<string> {
  if (sandboxFolder) {
    const path = join(sandboxFolder, 'ldap');
    if (Buffer.byteLength(join(path, 'ldapi')) <= 100 && !/["\\\r\n]/.test(path)) return path;
  }
  return mkdtemp(join(tmpdir(), 'btp-ldap-'));
}
