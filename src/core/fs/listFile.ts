import { BtpError, ErrorCode } from '../errors';
import type { AtomicJsonFile } from './atomicJsonFile';

/** A file this tool keeps a list in: `{ "version": 1, "<key>": [...] }`. */
export type ListFile<K extends string, T> = { version: 1 } & { [key in K]: T[] };

/**
 * Reads a list file: absent is an empty list; unreadable JSON or another shape is InvalidInput naming the file (these
 * files hold no secrets, so deleting one is always a way out).
 */
export async function readListFile<K extends string, T>(file: AtomicJsonFile, key: K): Promise<ListFile<K, T>> {
  let data: unknown;
  try {
    data = await file.read();
  } catch (error) {
    throw new BtpError(ErrorCode.InvalidInput, `${file.path} is not valid JSON; fix or delete it (it holds no secrets).`, { cause: error });
  }
  if (data === undefined) return { version: 1, [key]: [] } as ListFile<K, T>;
  const list = data as { version?: unknown } & Partial<Record<K, unknown>>;
  if (list.version !== 1 || !Array.isArray(list[key]))
    throw new BtpError(ErrorCode.InvalidInput, `${file.path} was not written by this version of BTP Connect.`);
  return list as ListFile<K, T>;
}
