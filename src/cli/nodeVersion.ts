/** The oldest Node the CLI runs on: undici 8's floor (engines.node in package.json). */
export const minimumNode = '22.19.0';

/**
 * Why this Node cannot run the CLI, or undefined when it can. Checked before anything else loads: on an older Node,
 * undici 8 fails while loading with an unrelated TypeError that tells the user nothing.
 */
export function unsupportedNode(version: string, minimum = minimumNode): string | undefined {
  const parse = (text: string) =>
    text
      .replace(/^v/, '')
      .split('.')
      .map((part) => Number.parseInt(part, 10));
  const have = parse(version);
  const need = parse(minimum);
  for (let index = 0; index < 3; index++) {
    const a = have[index] ?? 0;
    const b = need[index] ?? 0;
    if (Number.isNaN(a)) break;
    if (a > b) return undefined;
    if (a < b) return `btp-connect needs Node ${minimum} or later; this is Node ${version}. Install a current Node LTS (22 or 24) and run it again.`;
  }
  return undefined;
}
