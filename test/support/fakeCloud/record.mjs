// Shared by the fakes: every command they receive goes to $FAKE_CLOUD_DIR/commands.log (one JSON line each), and
// their state lives in a JSON file there that the test writes and the fakes update.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export function cloudDir() {
  const dir = process.env.FAKE_CLOUD_DIR;
  if (!dir) {
    process.stderr.write('fake cloud: FAKE_CLOUD_DIR is not set\n');
    process.exit(99);
  }
  return dir;
}

export function record(tool, argv) {
  appendFileSync(join(cloudDir(), 'commands.log'), `${JSON.stringify({ tool, argv })}\n`);
}

export function loadState(file) {
  const path = join(cloudDir(), file);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
}

export function saveState(file, state) {
  writeFileSync(join(cloudDir(), file), `${JSON.stringify(state, null, 2)}\n`);
}

/** A GUID that is the same for the same name in every run, so tests can name the URLs the flow calls. */
export function guidFor(kind, name) {
  const hex = createHash('sha1').update(`${kind}:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
