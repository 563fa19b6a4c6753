/**
 * What a native module file is built for, read from its header: PE (Windows: COFF machine field), Mach-O (macOS:
 * cputype) or ELF (Linux: e_machine, and the C library it links: musl's is `libc.so`, glibc's `libc.so.6`).
 */
export interface BinaryKind {
  readonly format: 'pe' | 'macho' | 'elf';
  readonly platform: 'win32' | 'darwin' | 'linux';
  readonly arch: 'x64' | 'arm64' | 'arm' | `unknown(${string})`;
  /** ELF only: the C library named in its dependencies. */
  readonly libc?: 'glibc' | 'musl' | 'none';
}

const peMachines: Record<number, BinaryKind['arch']> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x1c4: 'arm' };
const machoCpus: Record<number, BinaryKind['arch']> = { 0x01000007: 'x64', 0x0100000c: 'arm64' };
const elfMachines: Record<number, BinaryKind['arch']> = { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'arm' };

export function binaryKind(file: Buffer): BinaryKind {
  if (file.toString('latin1', 0, 2) === 'MZ') {
    const pe = file.readUInt32LE(0x3c);
    if (file.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('MZ header without a PE signature');
    const machine = file.readUInt16LE(pe + 4);
    return { format: 'pe', platform: 'win32', arch: peMachines[machine] ?? `unknown(0x${machine.toString(16)})` };
  }
  const magic = file.readUInt32LE(0);
  if (magic === 0xfeedfacf || magic === 0xfeedface) {
    const cpu = file.readUInt32LE(4);
    return { format: 'macho', platform: 'darwin', arch: machoCpus[cpu] ?? `unknown(0x${cpu.toString(16)})` };
  }
  if (file.toString('latin1', 0, 4) === '\x7fELF') {
    const littleEndian = file[5] === 1;
    const machine = littleEndian ? file.readUInt16LE(0x12) : file.readUInt16BE(0x12);
    // DT_NEEDED names sit NUL-terminated in .dynstr; a plain search for them is enough to tell the two apart.
    const libc = file.includes('\0libc.so.6\0') ? 'glibc' : file.includes('\0libc.so\0') ? 'musl' : 'none';
    return { format: 'elf', platform: 'linux', arch: elfMachines[machine] ?? `unknown(0x${machine.toString(16)})`, libc };
  }
  throw new Error(`not a PE, Mach-O or ELF file (starts with ${file.subarray(0, 4).toString('hex')})`);
}
