import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// The fake cf and kubectl of test/support/fakeCloud: their state files and the commands they received.

export const fakeCloudBin = join(__dirname, 'fakeCloud');

export interface FakeCf {
  login?: 'ok' | 'none' | 'expired';
  api?: string;
  org?: string | null;
  space?: { name: string; ssh?: boolean } | null;
  services?: { name: string; offering: string; plan: string }[];
  apps?: { name: string; state: 'STARTED' | 'STOPPED'; ssh?: boolean; memoryMb?: number; bindings?: string[] }[];
  quotaMb?: number;
  minimumStagingMb?: number;
  crashOnStart?: boolean;
  developer?: boolean;
  version?: string;
}

export interface FakeKube {
  contexts: string[];
  current: string | null;
  user?: string;
  clusters: Record<
    string,
    { server?: string; reachable?: boolean; loggedIn?: boolean; forbidden?: string[]; objects?: Record<string, Record<string, Record<string, unknown>>> }
  >;
}

export interface Command {
  readonly tool: 'cf' | 'kubectl';
  readonly argv: string[];
}

export interface FakeCloud {
  readonly dir: string;
  /** Environment for the tools: the fakes first on PATH, their state folder. */
  readonly env: Record<string, string>;
  setCf(state: FakeCf): Promise<void>;
  setKube(state: FakeKube): Promise<void>;
  /** The state the fake cf keeps now (apps pushed, bound, started, deleted). */
  cf(): Required<Pick<FakeCf, 'apps'>> & FakeCf;
  /** Every command the fakes received, in order. */
  commands(): Command[];
  /** The same as command lines, e.g. "cf curl /v3/apps?names=x". */
  lines(): string[];
  close(): Promise<void>;
}

export async function startFakeCloud(extraEnv: Record<string, string> = {}): Promise<FakeCloud> {
  const dir = await mkdtemp(join(tmpdir(), 'btp-fake-cloud-'));
  const env = { ...extraEnv, PATH: `${fakeCloudBin}${delimiter}${process.env.PATH ?? ''}`, FAKE_CLOUD_DIR: dir, HOME: dir };
  const commands = (): Command[] => {
    const file = join(dir, 'commands.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Command);
  };
  return {
    dir,
    env,
    setCf: (state) => writeFile(join(dir, 'cf.json'), JSON.stringify(state)),
    setKube: (state) => writeFile(join(dir, 'kube.json'), JSON.stringify(state)),
    cf: () => JSON.parse(readFileSync(join(dir, 'cf.json'), 'utf8')) as Required<Pick<FakeCf, 'apps'>> & FakeCf,
    commands,
    lines: () => commands().map((command) => [command.tool, ...command.argv].join(' ')),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The GUID the fakes give a named object (record.mjs guidFor), to name the URLs a flow must call. */
export function fakeGuid(kind: string, name: string): string {
  const hex = createHash('sha1').update(`${kind}:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
