import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * The entries of a zip file (a .vsix), read from its central directory: names and, on demand, contents (stored or
 * deflated, the two methods vsce writes). Enough for tests that open packages; no zip64, no encryption.
 */
export interface ZipFile {
  readonly names: readonly string[];
  read(name: string): Buffer;
  has(name: string): boolean;
}

export function openZip(path: string): ZipFile {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${path}: no zip end-of-central-directory record`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = new Map<string, { method: number; compressedSize: number; localHeader: number }>();
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${index}`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.set(name, { method, compressedSize, localHeader });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    read(name) {
      const entry = entries.get(name);
      if (!entry) throw new Error(`${path}: no entry ${name}`);
      const local = entry.localHeader;
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + entry.compressedSize);
      if (entry.method === 0) return Buffer.from(data);
      if (entry.method === 8) return inflateRawSync(data);
      throw new Error(`${path}: ${name} uses compression method ${entry.method}`);
    },
  };
}
