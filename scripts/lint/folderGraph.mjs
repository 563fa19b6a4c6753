// Which folder imports which, from the relative imports of the TypeScript files under a root; and the cycles in
// that graph. A folder is the directory a file is in (its files, not its subfolders).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function tsFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const importPattern = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

/** `{ folder → Set<folder> }` for every file under `root` (paths relative to `base`). */
export function folderGraph(base, root) {
  const graph = new Map();
  for (const file of tsFiles(resolve(base, root))) {
    const from = relative(base, dirname(file));
    if (!graph.has(from)) graph.set(from, new Set());
    for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
      const target = resolve(dirname(file), match[1] ?? match[2]);
      // `./x` is a file of that folder, `./x/` or a folder with index.ts is the folder itself.
      const targetFolder = relative(base, tsFiles(dirname(target)).some((path) => path === `${target}.ts`) ? dirname(target) : target);
      if (targetFolder !== from && targetFolder.startsWith(root)) graph.get(from).add(targetFolder);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the list of folders round it. */
export function folderCycles(graph) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (folder) => {
    state.set(folder, 'open');
    stack.push(folder);
    for (const next of graph.get(folder) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...graph.keys()].sort()) if (!state.has(folder)) visit(folder);
  return cycles;
}
