import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a process whose job is moving bytes (`btp-connect forward`; `sandbox` undoes them, below). At
 * 1 GB/s a forward allocates 64 KiB read buffers by the thousand; with incremental marking V8 then runs a full
 * collection every 30–50 ms once the heap passes ~8 MB, a quarter of the CPU (bench/README.md). Atomic marking of a
 * heap this small takes a few milliseconds. Not applied in the VS Code extension host, which belongs to every
 * extension.
 */
export function tuneForForwarding(): void {
  setFlagsFromString('--no-incremental-marking');
}

/**
 * Back to V8's incremental marking for `btp-connect sandbox` (after `tuneForForwarding()` in main): its heap holds
 * every service of the emulated BTP side and its load is many small requests. Through the Cloud Connector tunnel
 * atomic marking cost ~20 % more CPU a request there, and 1 MiB bodies showed no difference (bench/README.md).
 */
export function tuneForSandbox(): void {
  setFlagsFromString('--incremental-marking');
}
