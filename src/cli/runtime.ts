import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a process whose job is moving bytes (`btp-connect forward`, `sandbox`). At 1 GB/s a forward
 * allocates 64 KiB read buffers by the thousand; with incremental marking V8 then runs a full collection every
 * 30–50 ms once the heap passes ~8 MB, a quarter of the CPU (bench/README.md). Atomic marking of a heap this small
 * takes a few milliseconds. Not applied in the VS Code extension host, which belongs to every extension.
 */
export function tuneForForwarding(): void {
  setFlagsFromString('--no-incremental-marking');
}
