import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalToken } from './localToken';

/**
 * The CLI's local token, handed to the user through a file only they can read (0600 in a 0700 folder) instead of
 * argv, the terminal or a log (AC-05/06). It lives as long as the forwards: `remove` when they stop.
 */
export class LocalTokenFile {
  private constructor(
    readonly path: string,
    readonly value: string,
  ) {}

  static async create(directory: string): Promise<LocalTokenFile> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const file = new LocalTokenFile(join(directory, `forward-token-${process.pid}`), createLocalToken());
    // `wx`: never follow or reuse a file someone else prepared under this name.
    await writeFile(file.path, file.value, { mode: 0o600, flag: 'wx' });
    return file;
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
