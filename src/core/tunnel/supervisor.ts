import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { Logger } from '../log';
import { backoffDelay } from './backoff';
import { buildCommandLine } from './commandLine';
import { isFatalTunnelLine, OutputTail } from './fatalLines';
import { pickFreePorts } from './freePorts';
import { checkHealth } from './health';
import { KeepAlive, sendKeepAlive } from './keepAlive';
import { LocalListeners } from './localListeners';
import { describeExit, gaveUp, missingProgramHint, outputBlock, startupFailure, stoppedEarly, tunnelDown } from './messages';
import { resolveTunnelOptions, type ResolvedTunnelOptions } from './options';
import { waitUntilAccepting } from './probe';
import type { TunnelEndpoint, TunnelOptions, TunnelState, TunnelStateDetail, TunnelStateListener } from './types';
import { WatchedChild, type ChildExit } from './watchedChild';

type ChildMode = Exclude<ResolvedTunnelOptions['mode'], { kind: 'direct' }>;

/** One started child with the ports it forwards from. */
interface Run {
  readonly child: WatchedChild;
  readonly ports: readonly number[];
  readonly tail: OutputTail;
  readonly command: string;
}

type LaunchResult = { readonly ok: true; readonly run: Run } | { readonly ok: false; readonly run?: Run; readonly reason: string; readonly stopped?: boolean };

/**
 * Keeps a tunnel child (cf ssh, kubectl port-forward, a custom command) running behind local ports that we own.
 * A child that fails at start-up is reported and not retried; one that dies, prints a fatal line or stops
 * answering probes after it had been ready is replaced with backoff, and clients are refused meanwhile.
 */
export class TunnelSupervisor {
  private readonly options: ResolvedTunnelOptions;
  private readonly log: Logger;
  private readonly stateListeners = new Set<TunnelStateListener>();
  private readonly lifetime = new AbortController();
  private current: TunnelState = 'idle';
  private endpointList: readonly TunnelEndpoint[] = [];
  private local: LocalListeners | undefined;
  private run: Run | undefined;
  private spawns = 0;
  private firstSpawnAt = 0;
  private readySince = 0;
  private restartsThisOutage = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private keepAlive: KeepAlive | undefined;
  private lastProbeAt = 0;
  private stopping: Promise<void> | undefined;
  private failure: BtpError | undefined;
  /** Children being stopped; stop() waits for them too, so that their ports are free when it resolves. */
  private readonly retiring = new Set<Promise<unknown>>();

  /** Throws `InvalidInput` for options that cannot work; starts nothing. */
  constructor(options: TunnelOptions) {
    this.options = resolveTunnelOptions(options);
    this.log = this.options.logger.child('tunnel');
  }

  get state(): TunnelState {
    return this.current;
  }

  /** Where clients connect, one per target: our loopback listeners, or the targets themselves in `direct` mode. */
  get endpoints(): readonly TunnelEndpoint[] {
    return this.endpointList;
  }

  /** The pid of the running tunnel command, for diagnostics. */
  get pid(): number | undefined {
    return this.run?.child.pid;
  }

  onDidChangeState(listener: TunnelStateListener): { dispose(): void } {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  /** Resolves once the tunnel is ready; rejects with `PortInUse` or `TunnelFailed` (state `failed`). */
  async start(): Promise<void> {
    if (this.current !== 'idle') throw new BtpError(ErrorCode.InvalidInput, 'A TunnelSupervisor can be started only once.');
    this.setState('starting');
    const mode = this.options.mode;
    if (mode.kind === 'direct') {
      this.endpointList = this.options.targets;
      this.setState('ready');
      return;
    }
    let local: LocalListeners;
    try {
      local = await LocalListeners.bind(this.options.localPorts, this.log);
    } catch (error) {
      const failure = isBtpError(error) ? error : new BtpError(ErrorCode.TunnelFailed, `Cannot open the local ports: ${String(error)}`, { cause: error });
      await this.shutdown('failed', failure);
      throw failure;
    }
    if (this.closing) {
      await local.close();
      throw stoppedEarly();
    }
    this.local = local;
    this.endpointList = this.local.endpoints;
    const result = await this.launch(mode);
    if (result.ok) {
      this.becomeReady(result.run);
      return;
    }
    if (result.stopped) throw stoppedEarly();
    await this.failStartup(mode, result.run, result.reason);
    throw this.failure ?? new BtpError(ErrorCode.TunnelFailed, result.reason);
  }

  /** Kills the child's process group and closes the local ports; safe to call at any time, more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown('stopped');
    return this.stopping;
  }

  /** True once stop() was called or the tunnel failed: nothing may be started or scheduled any more. */
  private get closing(): boolean {
    return this.lifetime.signal.aborted;
  }

  private async launch(mode: ChildMode): Promise<LaunchResult> {
    const ports = await pickFreePorts(this.options.targets.length);
    if (this.closing) return { ok: false, reason: 'stopped', stopped: true };
    const { command, args } = buildCommandLine(mode, this.options.targets, ports);
    const tail = new OutputTail();
    const spec = { command, args, env: this.options.env, graceMs: this.options.stopGraceMs };
    const run: Run = { child: new WatchedChild(spec, (stream, line) => this.onOutput(run, stream, line)), ports, tail, command };
    const child = run.child;
    this.run = run;
    this.spawns += 1;
    if (this.spawns === 1) this.firstSpawnAt = Date.now();
    this.log.info(
      `started ${command} (spawn ${this.spawns}) forwarding ${ports.map((port, index) => `127.0.0.1:${port} → ${describeTarget(this.options, index)}`).join(', ')}`,
    );
    void child.exited.then((exit) => this.onExit(run, exit));

    const childGone = new AbortController();
    void child.exited.then(() => childGone.abort());
    const outcome = await waitUntilAccepting(ports, this.options.readyTimeoutMs, AbortSignal.any([this.lifetime.signal, childGone.signal]));
    if (this.closing) return { ok: false, run, reason: 'stopped', stopped: true };
    if (outcome === 'ready' && !child.hasExited) return { ok: true, run };
    if (outcome === 'timeout')
      return { ok: false, run, reason: `${command} did not accept connections on its port(s) within ${this.options.readyTimeoutMs} ms` };
    const exit = await child.exited;
    // The last lines may still be in the pipe when the exit is reported.
    await Promise.race([child.outputDone, delay(500)]);
    if (exit.spawnError) {
      const hint = exit.spawnError.code === 'ENOENT' ? missingProgramHint(mode, command) : exit.spawnError.message;
      return { ok: false, run, reason: hint };
    }
    return { ok: false, run, reason: `${command} ${describeExit(exit)}` };
  }

  private onOutput(run: Run, stream: 'stdout' | 'stderr', line: string): void {
    const clean = run.tail.add(line);
    if (stream === 'stdout') {
      // kubectl prints "Handling connection for N" per connection, probes included.
      this.log.trace(`${run.command}: ${clean}`);
      return;
    }
    this.log.warn(`${run.command}: ${clean}`);
    if (isFatalTunnelLine(line) && run === this.run) {
      if (this.current === 'ready') this.lose(run, `${run.command} reported "${clean}"`);
      else void this.retire(run);
    }
  }

  private onExit(run: Run, exit: ChildExit): void {
    if (run === this.run && this.current === 'ready') this.lose(run, `${run.command} ${describeExit(exit)}`);
  }

  /** The ready child is dead or useless: refuse clients, replace it with backoff (or fail if it was too early). */
  private lose(run: Run, reason: string): void {
    if (this.closing) return;
    this.clearTimers();
    this.local?.route(undefined);
    this.run = undefined;
    const down = this.retire(run);
    this.log.warn(`tunnel lost: ${reason}`);
    if (this.spawns === 1 && Date.now() - this.firstSpawnAt < this.options.startupFailureWindowMs) {
      void this.failStartup(this.options.mode as ChildMode, run, `${reason} right after it started`);
      return;
    }
    // A tunnel that stayed up for a while starts a new outage: counting and backoff begin again.
    if (Date.now() - this.readySince >= this.options.backoff.maxMs) this.restartsThisOutage = 0;
    this.scheduleRestart(reason, down);
  }

  private scheduleRestart(reason: string, previous: Promise<unknown>): void {
    if (this.closing) return;
    if (this.restartsThisOutage >= this.options.maxRestarts) {
      void this.shutdown('failed', gaveUp(this.options.maxRestarts, reason));
      return;
    }
    const delayMs = backoffDelay(this.restartsThisOutage, this.options.backoff);
    this.restartsThisOutage += 1;
    const attempt = this.restartsThisOutage;
    const error = tunnelDown(reason, attempt, this.options.maxRestarts, delayMs);
    this.log.info(`restart ${attempt}/${this.options.maxRestarts} in ${delayMs} ms`);
    this.setState('reconnecting', { reason, error, attempt, delayMs });
    this.restartTimer = setTimeout(() => void this.restart(previous), delayMs);
  }

  private async restart(previous: Promise<unknown>): Promise<void> {
    this.restartTimer = undefined;
    await previous;
    if (this.closing) return;
    const result = await this.launch(this.options.mode as ChildMode);
    if (this.closing) return;
    if (result.ok) {
      this.becomeReady(result.run);
      return;
    }
    if (result.run === this.run) this.run = undefined;
    const reason = `${result.reason}${outputBlock(result.run?.tail.text() ?? '')}`;
    this.log.warn(`restart failed: ${reason}`);
    this.scheduleRestart(reason, this.retire(result.run));
  }

  private becomeReady(run: Run): void {
    this.readySince = Date.now();
    this.local?.route(run.ports);
    this.log.info(`tunnel ready on ${this.endpointList.map((endpoint) => `${endpoint.host}:${endpoint.port}`).join(', ')}`);
    this.setState('ready');
    this.scheduleProbe(run);
    this.startKeepAlive(run);
  }

  private startKeepAlive(run: Run): void {
    const intervalMs = this.options.keepAliveMs;
    if (intervalMs === 0) return;
    this.keepAlive = new KeepAlive({
      intervalMs,
      // Becoming ready took connections through every port: that counts as traffic too.
      lastTraffic: () => Math.max(this.readySince, this.lastProbeAt, this.local?.lastTrafficAt ?? 0),
      send: async () => {
        if (run !== this.run || this.current !== 'ready') return;
        const silent = await sendKeepAlive(run.ports, this.options.targets, this.options.probe, intervalMs);
        if (silent.length === 0) this.log.trace(`keep-alive through ${run.ports.length} port(s)`);
        else this.log.debug(`keep-alive got no answer (${silent.join(', ')}); the health probe decides whether the tunnel is lost`);
      },
    });
    this.keepAlive.start();
  }

  private scheduleProbe(run: Run): void {
    this.probeTimer = setTimeout(() => void this.probe(run), this.options.probeIntervalMs);
  }

  private async probe(run: Run): Promise<void> {
    this.probeTimer = undefined;
    if (run !== this.run || this.current !== 'ready' || this.closing) return;
    this.lastProbeAt = Date.now();
    // Half an interval per probe, so a blackholed tunnel is found within two intervals of going silent.
    const problem = await checkHealth(run.ports, this.options.targets, this.options.probe, this.options.probeIntervalMs / 2);
    if (run !== this.run || this.current !== 'ready') return;
    if (problem === undefined) this.scheduleProbe(run);
    else this.lose(run, problem);
  }

  /** A start-up failure: report the child's last stderr lines and the fix, and do not retry. */
  private async failStartup(mode: ChildMode, run: Run | undefined, reason: string): Promise<void> {
    // A child that has exited may still have its last stderr lines in the pipe.
    if (run?.child.hasExited) await Promise.race([run.child.outputDone, delay(500)]);
    const error = startupFailure(mode, reason, run?.tail.text() ?? '');
    await Promise.all([this.shutdown('failed', error), this.retire(run)]);
  }

  private async shutdown(final: 'failed' | 'stopped', error?: BtpError): Promise<void> {
    if (final === 'failed') {
      if (this.current === 'failed' || this.current === 'stopped') return;
      this.failure = error;
      this.setState('failed', { error, reason: error?.message });
    }
    this.lifetime.abort();
    this.clearTimers();
    const run = this.run;
    this.run = undefined;
    await Promise.all([this.retire(run), this.local?.close(), ...this.retiring]);
    if (final === 'stopped') {
      this.log.info('tunnel stopped');
      this.setState('stopped');
    }
  }

  private retire(run: Run | undefined): Promise<unknown> {
    if (!run) return Promise.resolve();
    const stopped = run.child.stop();
    this.retiring.add(stopped);
    void stopped.then(() => this.retiring.delete(stopped));
    return stopped;
  }

  private clearTimers(): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.probeTimer);
    this.keepAlive?.stop();
    this.restartTimer = undefined;
    this.probeTimer = undefined;
    this.keepAlive = undefined;
  }

  private setState(state: TunnelState, detail?: TunnelStateDetail): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state, detail);
      } catch (error) {
        this.log.error(`a tunnel state listener threw: ${String(error)}`);
      }
    }
  }
}

function describeTarget(options: ResolvedTunnelOptions, index: number): string {
  const target = options.targets[index];
  return target ? `${target.host}:${target.port}` : '?';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
