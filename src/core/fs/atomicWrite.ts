import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

let sequence = 0;

/**
 * Replaces `path` atomically: write a temp file next to it, fsync it, rename it over the target, fsync the directory.
 * A kill -9 at any moment leaves either no file (or the old one) or the complete new one, never a torn file; readers
 * that list the folder see the temp file only under its `.tmp` name. `temp` must be unique among concurrent writers.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, temp = `${path}.${process.pid}.${++sequence}.tmp`): Promise<void> {
  try {
    const file = await open(temp, 'w', mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
