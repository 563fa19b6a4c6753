import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';

// `node --import tsx bench/profile.ts <file.cpuprofile> [top]`: where a child process spent its CPU, by
// function, mapped through the bundle's source map back to src/ file:line, self and inclusive time.

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const root = resolve(__dirname, '..');
const maps = new Map<string, SourceMap | undefined>();

function where(frame: Node['callFrame']): string {
  if (!frame.url) return frame.functionName || '(native)';
  const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
  const source = entry?.originalSource
    ? relative(root, entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(file, '..', entry.originalSource))
    : relative(root, file);
  const line = entry?.originalLine !== undefined ? entry.originalLine + 1 : frame.lineNumber + 1;
  return `${frame.functionName || '(anonymous)'} ${source}:${line}`;
}

function main(): void {
  const [file, topText] = process.argv.slice(2);
  if (!file) throw new Error('usage: bench/profile.ts <file.cpuprofile> [top]');
  const top = Number(topText ?? 40);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += micros;
    const key = where(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + micros);
    // Each function once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)?.callFrame;
      if (!frame || frame.functionName === '(root)') continue;
      const name = where(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  });
  const print = (title: string, table: Map<string, number>, filter: (name: string) => boolean = () => true) => {
    console.log(`\n${title} (of ${(total / 1e6).toFixed(2)} s busy)`);
    for (const [name, micros] of [...table]
      .filter(([name]) => filter(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)) {
      console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  print('self time', self);
  print('inclusive time', inclusive);
  print('inclusive time, src/ only', inclusive, (name) => name.includes(' src/'));
}

main();
